"""Shared by the tests: certdrill as a real process (a pseudo-terminal or pipes), what it stored, a sample topic."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from certdrill.store.store import Store

# A topic file with one valid item; tests break it in one place at a time.
ITEM = """\
topic: t
title: T
items:
  - id: t-one
    type: single
    prompt: Pick b.
    choices: [x, y, z]
    answer: b
    explanation: Because.
    sources:
      - note: 000.txt
"""


def env_for(home: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, CERTDRILL_HOME=str(home), NO_COLOR="1", COLUMNS="100", TERM="xterm", **extra)


def default_signals() -> None:
    """In the child: Ctrl-C and hang-ups as a terminal delivers them. A suite started in the background
    (`cmd &` in a script, nohup) runs with SIGINT/SIGHUP ignored, and a child would inherit that."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


# certdrill with the loader's refusal of control characters switched off, to show that the second
# line of defence (every output strips or escapes them) holds on its own.
CONTROLS_ALLOWED = (
    "import certdrill.bank.loader as l, sys; l.control_problems = lambda *a: []; sys.argv[0] = 'certdrill'; from certdrill.cli import main; main()"
)


def certdrill_argv(args, *, allow_controls: bool = False) -> list[str]:
    return ["-c", CONTROLS_ALLOWED, *[str(a) for a in args]] if allow_controls else ["-m", "certdrill", *[str(a) for a in args]]


def spawn(args, home: Path, *, allow_controls: bool = False, **extra: str):
    import pexpect

    argv = certdrill_argv(args, allow_controls=allow_controls)
    return pexpect.spawn(sys.executable, argv, env=env_for(home, **extra), encoding="utf-8", timeout=20, dimensions=(40, 100), preexec_fn=default_signals)


def plain(screen: str) -> str:
    """What a pseudo-terminal showed, without the style sequences Rich adds (bold and dim stay on under NO_COLOR)."""
    return re.sub(r"\x1b\[[0-9;]*m", "", screen)


def start(args, home: Path, **extra: str) -> subprocess.Popen:
    """certdrill with piped standard input and output, not yet waited for."""
    return subprocess.Popen(
        [sys.executable, "-m", "certdrill", *[str(a) for a in args]],
        env=env_for(home, **extra),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def truefalse_bank(folder: Path, count: int, *, topic: str = "tf") -> Path:
    """A bank of `count` true/false items whose answer is always true: 't' is always right."""
    folder.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f"  - id: {topic}-{n:03d}\n    type: truefalse\n    prompt: Statement {n} is true.\n    answer: true\n"
        f"    explanation: Because {n}.\n    sources: [{{note: n{n}.txt}}]\n"
        for n in range(count)
    )
    (folder / f"{topic}.yaml").write_text(f"topic: {topic}\ntitle: {topic.upper()}\nitems:\n{items}", encoding="utf-8")
    return folder


def json_of(result):
    """The JSON a command printed, once it succeeded."""
    import json

    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def stored(home: Path, read):
    store = Store.open(home / "progress.sqlite3")
    try:
        return read(store)
    finally:
        store.close()


@contextmanager
def fresh_home() -> Iterator[Path]:
    """A home of its own for each hypothesis example (pytest's fixtures last the whole test)."""
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        old = os.environ["CERTDRILL_HOME"]
        os.environ["CERTDRILL_HOME"] = str(home)
        try:
            yield home
        finally:
            os.environ["CERTDRILL_HOME"] = old


def log_reviews(home: Path, reviews, suspensions=()) -> None:
    """Reviews (and suspension events) logged as if answered earlier, through the store's merge."""
    stored(home, lambda store: store.merge_reviews(reviews, suspensions=suspensions))


def stored_reviews(home: Path):
    return stored(home, Store.reviews)


def stored_cards(home: Path):
    return stored(home, Store.cards)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def cards_alike(mine: dict, theirs: dict) -> bool:
    """The same cards, stability and difficulty within `batch.STATE_TOLERANCE`: a big rebuild's memory
    states come from fsrs-rs in float32, an answer's from fsrs in float64 (schedule/batch.py)."""
    from dataclasses import replace

    from certdrill.schedule.batch import STATE_TOLERANCE

    def close(a: float | None, b: float | None) -> bool:
        return a == b or (a is not None and b is not None and abs(a - b) <= STATE_TOLERANCE * abs(b))

    if mine.keys() != theirs.keys():
        return False
    for item_id, card in mine.items():
        other = theirs[item_id]
        if not (close(card.stability, other.stability) and close(card.difficulty, other.difficulty)):
            return False
        if replace(card, stability=other.stability, difficulty=other.difficulty) != other:
            return False
    return True


def cards_match_the_log(home: Path) -> bool:
    """The card cache equals a rebuild from the review log (nothing half-applied, nothing lost)."""
    store = Store.open(home / "progress.sqlite3")
    try:
        cached = store.cards()
        store.rebuild_cards()
        return cards_alike(store.cards(), cached)
    finally:
        store.close()


SANDBOX = Path(__file__).with_name("fs_sandbox.py")


@functools.cache
def namespace_prefix() -> list[str] | None:
    """`unshare` for a private mount namespace, as root or through a user namespace; None if neither works."""
    if not shutil.which("unshare") or sys.platform != "linux":
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-Urm"]):
        probe = subprocess.run([*prefix, "sh", "-c", "mount -t tmpfs tmpfs /mnt 2>/dev/null || mount -t tmpfs tmpfs /tmp"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


def in_sandbox(spec: dict) -> dict:
    """Run tests/fs_sandbox.py in a private mount namespace (or skip): the data folder read-only or full, for real."""
    prefix = namespace_prefix()
    if prefix is None:
        pytest.skip("needs a private mount namespace (unshare -m or -Urm)")
    done = subprocess.run([*prefix, sys.executable, str(SANDBOX), json.dumps(spec)], capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for command in report["commands"]:
        assert "Traceback" not in command["stderr"] + command["stdout"], command
    return report
