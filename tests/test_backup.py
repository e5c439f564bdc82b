"""Automatic and manual backups, restoring them, and refusing damaged or foreign databases."""

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.errors import StoreError
from certdrill.store import backup, migrations
from certdrill.store.store import Store
from support import integrity, stored_reviews


def study(cli, mini, answers="b\nb\nb\n", **env):
    result = cli("study", "--bank", mini, "--seed", "3", "--new-order", "file", input=answers)
    assert result.exit_code == 0, result.output
    return result


def backups(home):
    return sorted(p.name for p in (home / "backups").glob("*.sqlite3")) if (home / "backups").is_dir() else []


def on_day(monkeypatch, day: int):
    monkeypatch.setenv("CERTDRILL_NOW", f"2026-11-{day:02d}T09:00:00+00:00")


def test_daily_backup_once_a_day_on_first_use(cli, mini, home, monkeypatch):
    study(cli, mini)
    assert backups(home) == []  # nothing worth keeping before the first answer
    study(cli, mini, "q\n")
    assert backups(home) == ["progress-20261123T090000-daily-2026-11-23.sqlite3"]
    study(cli, mini, "q\n")
    assert len(backups(home)) == 1
    on_day(monkeypatch, 24)
    assert cli("export", "-o", home.parent / "p.json", "--bank", mini).exit_code == 0
    assert len(backups(home)) == 1  # export only reads (it works from a read-only disk)
    assert cli("missed", "--bank", mini).exit_code == 0
    assert backups(home)[-1] == "progress-20261124T090000-daily-2026-11-24.sqlite3"


def test_daily_backups_keep_the_last_ten_and_spare_the_others(tmp_path):
    db = tmp_path / "progress.sqlite3"
    store = Store.open(db)
    store.conn.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('r', 'x', 'b', 0, 3)")
    backup.make_backup(store.conn, db, "manual", when=datetime(2026, 1, 1, tzinfo=UTC))
    start = datetime(2026, 2, 1, 9, tzinfo=UTC)
    for day in range(14):
        backup.daily_backup(store.conn, db, start + timedelta(days=day))
    store.close()
    names = [p.name for p in backup.list_backups(db)]
    daily = [n for n in names if "-daily-" in n]
    assert len(daily) == backup.KEEP
    assert daily[0].endswith("daily-2026-02-14.sqlite3") and daily[-1].endswith("daily-2026-02-05.sqlite3")
    assert "progress-20260101T000000-manual.sqlite3" in names


def test_a_failed_daily_backup_warns_but_studying_goes_on(cli, mini, home):
    study(cli, mini)
    (home / "backups").write_text("a file where the folder should be")
    result = study(cli, mini, "b\n")
    assert "Warning: today's automatic backup failed" in result.output
    assert len(stored_reviews(home)) == 4


def test_backup_before_a_schema_migration(tmp_path, monkeypatch):
    db = tmp_path / "progress.sqlite3"
    store = Store.open(db)
    store.conn.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('r', 'x', 'b', 0, 3)")
    store.close()
    before = len(migrations.MIGRATIONS)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, "CREATE TABLE extra (x INTEGER);"])
    monkeypatch.setattr("certdrill.store.db.MIGRATIONS", migrations.MIGRATIONS)
    Store.open(db).close()
    (copy,) = backup.list_backups(db)
    assert copy.name.endswith(f"-schema{before}.sqlite3")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == before
    assert conn.execute("SELECT id FROM reviews").fetchall() == [("r",)]
    conn.close()


def test_no_migration_without_its_backup(tmp_path, monkeypatch):
    db = tmp_path / "progress.sqlite3"
    Store.open(db).close()
    (tmp_path / "backups").write_text("not a folder")
    monkeypatch.setattr("certdrill.store.db.MIGRATIONS", [*migrations.MIGRATIONS, "CREATE TABLE extra (x INTEGER);"])
    with pytest.raises(StoreError, match="cannot write a backup"):
        Store.open(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
    conn.close()


def test_backup_now_list_and_restore(cli, mini, home):
    study(cli, mini)
    made = cli("backup", "now")
    assert made.exit_code == 0 and "Backed up to" in made.output
    study(cli, mini, "b\nb\n")
    assert len(stored_reviews(home)) == 5
    listed = json.loads(cli("backup", "list", "--json").output)
    manual = next(b for b in listed if b["reason"] == "manual")
    assert manual["reviews"] == 3
    text = cli("backup", "list").output
    assert manual["name"] in text and "certdrill backup restore NAME" in text
    restored = cli("backup", "restore", manual["name"])
    assert restored.exit_code == 0, restored.output
    assert "3 answers" in restored.output
    assert len(stored_reviews(home)) == 3
    (aside,) = [b for b in json.loads(cli("backup", "list", "--json").output) if b["reason"] == "before-restore"]
    assert aside["reviews"] == 5 and aside["name"] in restored.output


def test_restore_keeps_answers_still_in_the_wal_of_the_replaced_file(tmp_path):
    db = tmp_path / "progress.sqlite3"
    store = Store.open(db)
    store.conn.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('old', 'x', 'b', 0, 3)")
    copy = backup.make_backup(store.conn, db, "manual", when=datetime(2026, 1, 1, tzinfo=UTC))
    store.conn.execute("PRAGMA wal_autocheckpoint = 0")
    store.conn.execute("INSERT INTO reviews (id, item_id, bank, reviewed_at, rating) VALUES ('new', 'x', 'b', 1, 3)")
    assert (tmp_path / "progress.sqlite3-wal").stat().st_size > 0  # 'new' lives only in the WAL
    aside = backup.restore_backup(copy, db, when=datetime(2026, 1, 2, tzinfo=UTC))
    store.close()
    kept = sqlite3.connect(aside)
    assert sorted(kept.execute("SELECT id FROM reviews")) == [("new",), ("old",)]
    kept.close()


def test_restore_refuses_a_foreign_or_damaged_file_and_changes_nothing(cli, mini, home, tmp_path):
    study(cli, mini)
    before = (home / "progress.sqlite3").read_bytes()
    foreign = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"junk" * 1000)
    for path, words in ((foreign, "not a certdrill database"), (junk, "cannot restore")):
        result = cli("backup", "restore", path)
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert cli("backup", "restore", "no-such-backup").exit_code == 2
    assert (home / "progress.sqlite3").read_bytes() == before


def damage(db):
    """Overwrite the middle of the file: the header still says SQLite, the pages are garbage."""
    data = bytearray(db.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["garbage", "damaged pages", "foreign"])
def test_a_bad_database_is_refused_untouched_with_how_to_restore(cli, mini, home, monkeypatch, how):
    study(cli, mini)
    on_day(monkeypatch, 24)
    study(cli, mini, "q\n")  # makes the day's backup
    db = home / "progress.sqlite3"
    if how == "garbage":
        db.write_bytes(b"not a database at all " * 500)
    elif how == "damaged pages":
        damage(db)
    else:
        db.unlink()
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
        conn.close()
    before = db.read_bytes()
    on_day(monkeypatch, 25)
    review = {"id": "r1", "item_id": "ecr-scan", "reviewed_at": "2026-11-25T08:00:00Z", "rating": 3}
    (home.parent / "in.json").write_text(json.dumps({"format": "certdrill-progress", "version": 1, "reviews": [review]}))
    for command in (["study", "--bank", mini], ["export", "-o", home.parent / "out.json"], ["import", home.parent / "in.json"], ["backup", "now"]):
        result = cli(*command, input="b\n")
        assert result.exit_code == 3, (command, result.output)
        assert "certdrill backup restore" in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
        assert db.read_bytes() == before
    assert not (home.parent / "out.json").exists()
    listed = json.loads(cli("backup", "list", "--json").output)
    assert [b["reason"] for b in listed] == ["daily-2026-11-24"]  # no copy of the damage
    restored = cli("backup", "restore", next(b["name"] for b in listed if "daily" in b["reason"]))
    assert restored.exit_code == 0, restored.output
    assert integrity(db) == "ok" and len(stored_reviews(home)) == 3
    kept = next(b for b in json.loads(cli("backup", "list", "--json").output) if b["reason"] == "before-restore")
    assert (home / "backups" / kept["name"]).read_bytes() == before


def test_backup_list_keeps_every_count_whole_at_80_columns(cli, home, monkeypatch):
    from datetime import timedelta

    from certdrill.schedule.review_log import Review

    store = Store.open(home / "progress.sqlite3")
    at = datetime(2026, 1, 1, tzinfo=UTC)
    store.merge_reviews(Review(f"r{n:05d}", f"item-{n % 50}", "b", at + timedelta(minutes=n), 3, (0,), True, 1000, "study", "s") for n in range(12345))
    store.close()
    assert cli("backup", "now").exit_code == 0
    (manual,) = json.loads(cli("backup", "list", "--json").output)
    assert cli("backup", "restore", manual["name"]).exit_code == 0  # the current file is kept aside: a longer name
    monkeypatch.setenv("COLUMNS", "80")  # issue 12: at 80 columns the answer count was cut to one digit
    text = cli("backup", "list").output
    rows = [line for line in text.splitlines() if "progress-" in line]
    assert len(rows) == 2 and all(" 12345 " in row for row in rows) and all(len(line) <= 80 for line in text.splitlines()), text
