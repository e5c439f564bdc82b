"""A read-only or full disk: a clear one-line error, no traceback, no half-written file.

Two layers. In-process, SQLite itself is made to refuse writes (`PRAGMA query_only`) or to run out
of room (`PRAGMA max_page_count`): this runs anywhere. Then for real, in a private mount namespace:
the data folder bind-mounted read-only, or on a tiny tmpfs filled up. Tests run as root, where
chmod stops nothing, so a mount is what really exercises the error paths.
"""

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.schedule.review_log import Review
from certdrill.store import connection as store_module
from certdrill.store.store import Store
from support import in_sandbox, integrity, stored_reviews, truefalse_bank


def with_pragma(monkeypatch, pragma):
    """Every connection the CLI opens gets `pragma` (a callable given the connection)."""
    real = store_module.connect

    def connect(path, **kwargs):
        conn = real(path, **kwargs)
        pragma(conn)
        return conn

    monkeypatch.setattr(store_module, "connect", connect)


def assert_one_clear_line(result, words, code=3):
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and words in errors[0], result.output
    assert "Traceback" not in result.output


def test_read_only_store_fails_before_the_first_question(cli, mini, home, monkeypatch):
    cli("study", "--bank", mini, input="a\n")
    with_pragma(monkeypatch, lambda conn: conn.execute("PRAGMA query_only = 1"))
    result = cli("study", "--bank", mini, input="a\nb\n")
    assert_one_clear_line(result, "read-only")
    assert "Question 1" not in result.output
    assert_one_clear_line(cli("import", home.parent / "nothing.json"), "no such file", code=2)


def test_full_disk_mid_session_keeps_every_graded_answer(cli, tmp_path, home, monkeypatch):
    bank = truefalse_bank(tmp_path / "tf", 200)
    cli("study", "--bank", bank, "--new", "1", input="t\n")
    pages = {}

    def cap(conn):
        pages.setdefault("count", conn.execute("PRAGMA page_count").fetchone()[0])
        conn.execute(f"PRAGMA max_page_count = {pages['count'] + 2}")

    with_pragma(monkeypatch, cap)
    result = cli("study", "--bank", bank, "--new", "200", input="t\n" * 200)
    assert_one_clear_line(result, "the disk is full")
    graded = result.output.count("Correct.")
    assert 0 < graded < 200
    monkeypatch.undo()
    assert len(stored_reviews(home)) == 1 + graded
    assert integrity(home / "progress.sqlite3") == "ok"


@pytest.mark.slow
def test_read_only_data_folder_for_real(cli, mini, home, tmp_path):
    cli("study", "--bank", mini, input="a\n")
    db = home / "progress.sqlite3"
    before, files_before = db.read_bytes(), sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    commands = [
        ["study", "--bank", str(mini)],
        ["missed", "--bank", str(mini)],
        ["import", str(tmp_path / "p.json")],
        ["config", "set", "new-per-day", "5"],
        ["export", "-o", str(home / "out.json"), "--bank", str(mini)],
        ["export", "-o", "-", "--bank", str(mini)],
        ["backup", "now"],
    ]
    (tmp_path / "p.json").write_text('{"format": "certdrill-progress", "version": 1, "reviews": []}')
    report = in_sandbox({"mount": "read-only", "home": str(home), "commands": [{"args": c, "input": "a\n"} for c in commands]})
    study, missed, import_, config, *exports, backup_now = report["commands"]
    for command in (study, missed, import_, backup_now):
        assert command["code"] == 3 and "read-only" in command["stderr"], command
        assert len(command["stderr"].splitlines()) == 1
    assert config["code"] == 2 and "cannot save settings: Read-only file system" in config["stderr"]
    assert [c["code"] for c in exports] == [2, 0]
    assert "Read-only file system" in exports[0]["stderr"]
    assert len(json.loads(exports[1]["stdout"])["reviews"]) == 1  # reading still works from a read-only disk
    assert db.read_bytes() == before
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()) == files_before


@pytest.mark.slow
def test_read_only_data_folder_before_any_progress(home, mini):
    home.mkdir(parents=True)
    report = in_sandbox({"mount": "read-only", "home": str(home), "commands": [{"args": ["study", "--bank", str(mini)], "input": "a\n"}]})
    (study,) = report["commands"]
    assert study["code"] == 3 and "read-only" in study["stderr"] and report["files"] == []


@pytest.mark.slow
def test_full_disk_for_real(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 300)
    cli("study", "--bank", bank, "--new", "1", input="t\n")
    out = tmp_path / "after"
    commands = [
        {"args": ["study", "--bank", str(bank), "--new", "300"], "input": "t\n" * 300},
        {"args": ["config", "set", "new-per-day", "5"], "fill_first": True},
    ]
    seed = shutil.copytree(home, tmp_path / "seed")  # the tmpfs is mounted over the home folder
    report = in_sandbox(
        {"mount": "full", "home": str(home), "seed": str(seed), "size_kb": 400, "leave_free_kb": 120, "commands": commands, "copy_to": str(out)}
    )
    study, config = report["commands"]
    assert study["code"] == 3 and "the disk is full" in study["stderr"], study
    assert [line for line in study["stderr"].splitlines() if line.startswith("Error")] == [study["stderr"].splitlines()[-1]]
    assert config["code"] == 2 and "No space left" in config["stderr"], config
    # no temporary file and no settings file left; the bank cache (written whole through a rename) may be
    assert not [f for f in report["files"] if f.endswith((".tmp", ".json")) and not f.startswith("cache/")], report["files"]
    assert integrity(out / "progress.sqlite3") == "ok"
    assert len(stored_reviews(out)) == 1 + study["stdout"].count("Correct.")


@pytest.mark.slow
def test_export_to_a_full_disk_leaves_no_half_written_file(tmp_path, home):
    store = Store.open(home / "progress.sqlite3")
    at = datetime(2026, 11, 1, tzinfo=UTC)
    store.merge_reviews(Review(f"r{n:04d}", f"item-{n % 40}", "tf", at + timedelta(hours=n), 3, (0,), True, 1000, "study", "s") for n in range(600))
    store.close()
    seed = shutil.copytree(home, tmp_path / "seed")
    target = home / "progress.json"
    commands = [{"args": ["export", "-o", str(target)]}]
    report = in_sandbox({"mount": "full", "home": str(home), "seed": str(seed), "size_kb": 900, "leave_free_kb": 64, "commands": commands})
    (export,) = report["commands"]
    assert export["code"] == 2 and "cannot write: No space left on device" in export["stderr"], export
    assert [f for f in report["files"] if not f.startswith(("progress.sqlite3", "backups/", "cache/"))] == []
