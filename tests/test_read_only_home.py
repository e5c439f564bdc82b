"""A read-only home: every command that saves says so in one line before it asks anything; every
command that only reads still reads, the answers still waiting in the -wal included.

The hard case is a read-only folder where `progress.sqlite3-wal` and `-shm` already exist: SQLite
then opens the store, and even `BEGIN IMMEDIATE` goes through, but the first real write fails
("attempt to write a readonly database"), which used to be the learner's first answer. In-process,
every connection certdrill opens is made read-only at the SQLite level (`mode=ro`, which behaves
the same way); then for real, the data folder bind-mounted read-only in a private mount namespace
(tests run as root, where chmod stops nothing).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from certdrill.store import db as db_module
from support import in_sandbox, stored_reviews

# Every command that saves something, with what it needs to run on a home with one answer.
WRITERS = {
    "study": ["study", "--bank", "{mini}"],
    "missed": ["missed", "--bank", "{mini}"],
    "exam": ["exam", "--bank", "{mini}", "--count", "2"],
    "import": ["import", "{progress}"],
    "cram": ["cram", "--bank", "{mini}"],
    "undo": ["undo"],
    "suspend": ["suspend", "ecr-scan", "--bank", "{mini}"],
    "unsuspend": ["unsuspend", "ecr-scan", "--bank", "{mini}"],
}
# Every command that only reads.
READERS = {
    "stats": ["stats", "--bank", "{mini}"],
    "stats --json": ["stats", "--json", "--bank", "{mini}"],
    "export": ["export", "-o", "-", "--bank", "{mini}"],
    "item": ["item", "ecr-scan", "--bank", "{mini}"],
    "bank list": ["bank", "list", "--bank", "{mini}"],
}


def args_of(template: list[str], mini: Path, progress: Path) -> list[str]:
    return [part.format(mini=mini, progress=progress) for part in template]


@pytest.fixture
def progress_file(tmp_path) -> Path:
    path = tmp_path / "progress.json"
    path.write_text('{"format": "certdrill-progress", "version": 1, "reviews": []}')
    return path


def sqlite_read_only(monkeypatch) -> None:
    """Every connection opened read-only at the SQLite level, as a read-only folder whose -wal and
    -shm exist gives: it opens, `BEGIN IMMEDIATE` passes, the first write fails."""
    real = db_module._open

    def read_only(path, target, setup):
        if not target.startswith("file:") and target != ":memory:":
            target = f"{Path(target).resolve().as_uri()}?mode=ro"
        return real(path, target, setup)

    monkeypatch.setattr(db_module, "_open", read_only)


def files_of(home: Path, *, wal_too: bool = True) -> dict[str, bytes]:
    """What the home holds (the bank cache aside). Without `wal_too`, not SQLite's -wal and -shm, which
    an in-process read-only connection creates in a writable folder and leaves empty."""
    skip = () if wal_too else ("-wal", "-shm")
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file() and "cache" not in p.parts and not p.name.endswith(skip)}


@pytest.mark.parametrize("name", WRITERS)
def test_every_saving_command_says_read_only_before_asking_anything(name, cli, mini, home, progress_file):
    assert cli("study", "--bank", mini, input="a\n").exit_code == 0
    before = files_of(home, wal_too=False)
    with pytest.MonkeyPatch.context() as patch:
        sqlite_read_only(patch)
        result = cli(*args_of(WRITERS[name], mini, progress_file), input="a\nb\n\n")
    assert result.exit_code == 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "read-only, so nothing can be saved" in errors[0] and str(home) in errors[0], result.output
    assert "Question 1" not in result.output and "Your answer" not in result.output
    assert files_of(home, wal_too=False) == before
    assert len(stored_reviews(home)) == 1


@pytest.mark.parametrize("name", READERS)
def test_every_reading_command_still_reads_a_read_only_store(name, cli, mini, home, progress_file, monkeypatch):
    assert cli("study", "--bank", mini, input="a\n").exit_code == 0
    before = files_of(home, wal_too=False)
    sqlite_read_only(monkeypatch)
    result = cli(*args_of(READERS[name], mini, progress_file))
    assert result.exit_code == 0, result.output
    assert "Error" not in result.output
    assert files_of(home, wal_too=False) == before


def test_a_reading_command_on_a_home_never_used_writes_nothing(cli, mini, home):
    for template in READERS.values():
        result = cli(*args_of(template, mini, home))
        assert result.exit_code == 0, result.output
    assert not home.exists() or not (home / "progress.sqlite3").exists()


def home_with_answers_in_the_wal(cli, mini, home: Path, copy: Path) -> None:
    """A copy of `home` whose newest answers live only in progress.sqlite3-wal (and its -shm): as
    after a kill -9, or while another session runs, before SQLite folds them into the file."""
    assert cli("study", "--bank", mini, input="a\n").exit_code == 0
    hold = sqlite3.connect(home / "progress.sqlite3")  # keeps the last closer from checkpointing
    try:
        hold.execute("SELECT count(*) FROM reviews").fetchone()
        assert cli("study", "--bank", mini, "--new", "3", input="a\n" * 6).exit_code == 0
        shutil.copytree(home, copy)
    finally:
        hold.close()
    assert (copy / "progress.sqlite3-wal").stat().st_size > 0 and (copy / "progress.sqlite3-shm").exists()


@pytest.mark.slow
@pytest.mark.parametrize("shm", ["kept", "missing"])
def test_a_read_only_folder_with_wal_and_shm_for_real(shm, cli, mini, home, tmp_path, progress_file):
    ro = tmp_path / "ro-home"
    home_with_answers_in_the_wal(cli, mini, home, ro)
    if shm == "missing":
        (ro / "progress.sqlite3-shm").unlink()
    answers = len(stored_reviews(home))
    before = files_of(ro)
    commands = [args_of(t, mini, progress_file) for t in [*WRITERS.values(), ["backup", "now"], *READERS.values()]]
    report = in_sandbox({"mount": "read-only", "home": str(ro), "commands": [{"args": c, "input": "a\nb\n\n"} for c in commands]})
    writers, readers = report["commands"][: len(WRITERS) + 1], report["commands"][len(WRITERS) + 1 :]
    for command in writers:
        assert command["code"] == 3, command
        assert len(command["stderr"].splitlines()) == 1 and str(ro) in command["stderr"], command
        assert "read-only" in command["stderr"].lower() and "Question 1" not in command["stdout"], command
    for command in readers:
        if shm == "kept" or command["args"][:2] == ["bank", "list"]:  # bank list reads the store only for its status column
            assert command["code"] == 0, command
        else:  # the answers in the -wal cannot be read without the -shm: one line, never an export missing them
            said = json.loads(command["stdout"])["error"]["message"] if "--json" in command["args"] else command["stderr"]
            assert command["code"] == 3 and len(said.splitlines()) == 1, command
            assert "progress.sqlite3-wal" in said and "writable" in said, command
    if shm == "kept":
        exported = json.loads(next(c for c in readers if c["args"][0] == "export")["stdout"])
        assert len(exported["reviews"]) == answers > 1
    assert files_of(ro) == before
