"""Two certdrill processes at once on the same data: both finish, neither loses or refuses an answer."""

import os
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from support import cards_match_the_log, integrity, start, stored_reviews, truefalse_bank

pytestmark = pytest.mark.slow

ITEMS = 150


def read_until(proc, text: str) -> str:
    """Read a process's output up to the prompt `text` (a prompt ends without a newline)."""
    seen = b""
    while text.encode() not in seen:
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, f"ended before {text!r}: {seen.decode()} {proc.stderr.read()}"
        seen += chunk
    return seen.decode()


def both_at_once(bank, home, answers: str):
    """Start both, wait until both ask their first question, then answer in both at the same moment."""
    procs = [start(["study", "--bank", bank, "--new", str(ITEMS)], home) for _ in range(2)]
    try:
        heads = [read_until(p, "Your answer") for p in procs]
    except BaseException:  # one refused to start: end both, so no process or pipe outlives the test
        for proc in procs:
            proc.kill()
            proc.communicate()
        raise
    with ThreadPoolExecutor(2) as pool:  # drain both outputs together, so neither waits on a full pipe
        outs = list(pool.map(lambda p: p.communicate(answers, timeout=120), procs))
    return [(head + stdout, stderr, p.returncode) for head, (stdout, stderr), p in zip(heads, outs, procs, strict=True)]


def answered(stdout: str) -> int:
    return int(re.search(r"Answered (\d+)", stdout).group(1))


@pytest.mark.parametrize("seeded", [False, True], ids=["fresh home", "home with progress"])
def test_two_sessions_at_once_both_finish_with_every_answer_logged(tmp_path, home, seeded):
    bank = truefalse_bank(tmp_path / "tf", ITEMS)
    if seeded:  # both then also race to make the day's first backup
        (proc,) = [start(["study", "--bank", bank, "--new", "1"], home, CERTDRILL_NOW="2026-11-22T09:00:00+00:00")]
        proc.communicate("t\n", timeout=60)
    answers = "\n".join("t" if n % 7 else "f" for n in range(ITEMS * 2)) + "\n"
    results = both_at_once(bank, home, answers)
    for stdout, stderr, code in results:
        assert code == 0, stderr
        for text in (stdout, stderr):
            assert "locked" not in text and "busy" not in text and "Traceback" not in text and "Error" not in text
    logged = stored_reviews(home)
    assert len(logged) == sum(answered(stdout) for stdout, _, _ in results) + (1 if seeded else 0)
    assert len({r.session_id for r in logged}) == 2 + (1 if seeded else 0)
    assert integrity(home / "progress.sqlite3") == "ok"
    assert cards_match_the_log(home)
