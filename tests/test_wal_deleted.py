"""The store's write-ahead log deleted (issue 15, class 7): while a session runs, or after one was
killed. Each case is one clear line and exit 3, and no answer is confirmed that would then vanish."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from certdrill.errors import StoreError
from certdrill.store.store import Store
from support import env_for
from test_import_beside_sessions import answer

COMMANDS = (["stats"], ["export", "-o", "-"], ["study", "--new", "3"])


def delete_the_log(db: Path, *, index_too: bool = True) -> None:
    os.unlink(f"{db}-wal")
    if index_too:
        os.unlink(f"{db}-shm")


def certdrill(home: Path, mini: Path, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "certdrill", *args, "--bank", str(mini)], env=env_for(home), input="t\n" * 5, capture_output=True, text=True, timeout=60
    )


def one_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def test_a_running_session_refuses_the_next_answer_once_its_log_is_deleted(home):
    db = home / "progress.sqlite3"
    store = Store.open(db)
    try:
        answer(store, 0)
        delete_the_log(db)
        with pytest.raises(StoreError, match=r"write-ahead log \(progress\.sqlite3-wal\) was deleted while certdrill ran .* so no more are taken"):
            answer(store, 1)
    finally:
        store.close()


def test_a_second_session_refuses_a_store_held_open_without_its_log_and_the_first_keeps_its_answers(home, mini):
    """The running one refuses its next answer, the new one starts none: every answer confirmed is kept."""
    db = home / "progress.sqlite3"
    store = Store.open(db)
    try:
        for n in range(3):
            answer(store, n)
        delete_the_log(db)
        for args in COMMANDS:
            second = certdrill(home, mini, args)
            assert second.returncode == 3, second.stdout + second.stderr
            assert "another certdrill has the store open, but its write-ahead log (progress.sqlite3-wal) was deleted" in one_line(second)
            assert "Your answer" not in second.stdout
        with pytest.raises(StoreError, match="was deleted while certdrill ran"):
            answer(store, 3)
    finally:
        store.close()
    after = Store.open(db)
    try:
        assert {r.id for r in after.reviews()} == {"answer-0", "answer-1", "answer-2"}
    finally:
        after.close()


def killed_with_answers_in_its_log(home: Path) -> Path:
    """A session that saved three answers, then was killed (kill -9): they are in the log, not the file."""
    db = home / "progress.sqlite3"
    code = (
        "import os, signal, sys\nfrom pathlib import Path\nsys.path.insert(0, sys.argv[2])\n"
        "from certdrill.store.store import Store\nfrom test_import_beside_sessions import answer\n"
        "store = Store.open(Path(sys.argv[1]))\nfor n in range(3):\n    answer(store, n)\nos.kill(os.getpid(), signal.SIGKILL)\n"
    )
    killed = subprocess.run([sys.executable, "-c", code, str(db), str(Path(__file__).parent)], env=env_for(home), capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    return db


@pytest.mark.parametrize("index_too", [True, False], ids=["log and index deleted", "log deleted"])
def test_after_kill_9_and_a_deleted_log_every_command_says_what_is_missing(home, mini, index_too):
    db = killed_with_answers_in_its_log(home)
    delete_the_log(db, index_too=index_too)
    size = db.stat().st_size
    why = (
        "everything saved in it was still in its write-ahead log (progress.sqlite3-wal), which is missing"
        if index_too
        else "pages saved in it had not yet been copied"
    )
    for args in COMMANDS:
        result = certdrill(home, mini, args)
        assert result.returncode == 3, result.stdout + result.stderr
        line = one_line(result)
        assert "the progress database is damaged" in line and why in line and "certdrill backup list" in line
        assert "older certdrill" not in line
    assert db.stat().st_size == size, "the store was touched"
