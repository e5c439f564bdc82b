"""certdrill sync: two homes (two machines) through one shared folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certdrill.store.store import Store


@pytest.fixture
def machines(tmp_path, monkeypatch, cli):
    """Run certdrill as machine "a" or "b": each its own data dir, one shared folder."""
    shared = tmp_path / "shared"
    shared.mkdir()

    def on(name: str, *args: str, input: str | None = None, now: str | None = None):
        monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / name))
        if now:
            monkeypatch.setenv("CERTDRILL_NOW", now)
        result = cli(*args, input=input)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result

    on.shared = shared
    on.home = lambda name: tmp_path / name
    return on


def reviews(home: Path) -> list[tuple]:
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        return [(r.id, r.item_id, r.reviewed_at, int(r.rating)) for r in store.reviews()]
    finally:
        store.close()


def cards(home: Path) -> dict:
    store = Store.open(home / "progress.sqlite3", read_only=True)
    try:
        return store.cards()
    finally:
        store.close()


def test_two_machines_end_with_the_same_log_and_cards(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "3", "--seed", "1", input="a\nb\nc\n")
    machines("b", "study", "--bank", mini, "--new", "2", "--seed", "2", "--new-order", "file", input="b\na\n", now="2026-11-23T10:00:00+00:00")
    before = set(reviews(machines.home("a"))) | set(reviews(machines.home("b")))
    assert len(before) > len(reviews(machines.home("a"))) > 0
    for name in ("a", "b", "a"):
        result = machines(name, "sync", machines.shared)
        assert result.exit_code == 0, result.output
    a, b = reviews(machines.home("a")), reviews(machines.home("b"))
    assert a == b and set(a) == before
    assert cards(machines.home("a")) == cards(machines.home("b"))
    again = machines("b", "sync", machines.shared, "--json")
    data = json.loads(again.output)
    assert data["added"] == 0 and data["sent"] == 0


def test_each_device_writes_only_its_own_folder(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "2", input="a\nb\n")
    machines("a", "sync", machines.shared)
    machines("b", "sync", machines.shared)
    devices = sorted(p.name for p in (machines.shared / "certdrill").iterdir())
    assert len(devices) == 2
    a_id = (machines.home("a") / "device-id").read_text().strip()
    b_id = (machines.home("b") / "device-id").read_text().strip()
    assert sorted([a_id, b_id]) == devices
    assert list((machines.shared / "certdrill" / b_id).iterdir()) == []  # b had nothing the folder lacked


def test_a_missing_folder_is_one_line_and_exit_2(machines, tmp_path):
    result = machines("a", "sync", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {tmp_path / 'nowhere'}: no such folder"]


def device_dir(machines, name: str) -> Path:
    return machines.shared / "certdrill" / (machines.home(name) / "device-id").read_text().strip()


def test_a_half_copied_last_line_is_taken_once_it_is_whole(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "2", "--seed", "1", input="a\nb\n")
    machines("a", "sync", machines.shared)
    (segment,) = device_dir(machines, "a").iterdir()
    whole = segment.read_bytes()
    cut = whole.rfind(b"\n", 0, len(whole) - 1) + 1 + 20  # the last line, 20 bytes of it
    segment.write_bytes(whole[:cut])
    first = json.loads(machines("b", "sync", machines.shared, "--json").output)
    assert first["damaged"] == 0 and first["added"] == len(reviews(machines.home("a"))) - 1
    segment.write_bytes(whole)  # the sync tool finished copying
    second = json.loads(machines("b", "sync", machines.shared, "--json").output)
    assert second["added"] == 1 and second["damaged"] == 0
    assert reviews(machines.home("b")) == reviews(machines.home("a"))


@pytest.mark.parametrize("copy_name", ["1 (conflicted copy 2026-12-01).jsonl", "1.sync-conflict-20261201-101010-ABCDEFG.jsonl", "1-DESKTOP-7QX.jsonl"])
def test_a_conflicted_copy_is_read_and_nothing_doubles(machines, mini, copy_name):
    machines("a", "study", "--bank", mini, "--new", "2", "--seed", "1", input="a\nb\n")
    machines("a", "sync", machines.shared)
    folder = device_dir(machines, "a")
    original = folder / "1.jsonl"
    (folder / copy_name).write_bytes(original.read_bytes())
    original.unlink()  # the tool kept only the copy: its records still arrive
    result = machines("b", "sync", machines.shared)
    assert result.exit_code == 0, result.output
    assert reviews(machines.home("b")) == reviews(machines.home("a"))


def test_a_deleted_or_truncated_device_file_loses_nothing(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "3", "--seed", "1", input="a\nb\nc\n")
    machines("a", "sync", machines.shared)
    machines("b", "sync", machines.shared)
    folder = device_dir(machines, "a")
    (folder / "1.jsonl").write_bytes((folder / "1.jsonl").read_bytes()[:50])  # truncated mid-line
    result = machines("b", "sync", machines.shared, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["healed"] is True
    assert reviews(machines.home("b")) == reviews(machines.home("a"))
    for segment in folder.iterdir():
        segment.unlink()  # deleted by the user, or lost by the tool
    healed = json.loads(machines("a", "sync", machines.shared, "--json").output)
    assert healed["healed"] is True
    machines("c", "sync", machines.shared)  # a third machine still gets everything
    assert reviews(machines.home("c")) == reviews(machines.home("a"))


def test_a_restored_store_gets_its_own_records_back(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "2", "--seed", "1", input="a\nb\n")
    machines("a", "sync", machines.shared)
    kept = reviews(machines.home("a"))
    for name in ("progress.sqlite3", "progress.sqlite3-wal", "progress.sqlite3-shm"):
        (machines.home("a") / name).unlink(missing_ok=True)
    machines("a", "sync", machines.shared)
    assert reviews(machines.home("a")) == kept


def test_settings_travel_and_the_last_change_wins(machines):
    machines("a", "config", "set", "new-per-day", "30", now="2026-11-23T09:00:00+00:00")
    machines("b", "config", "set", "new-per-day", "40", now="2026-11-23T09:05:00+00:00")
    machines("b", "config", "set", "sync-dir", str(machines.shared))
    for name in ("a", "b", "a"):
        machines(name, "sync", machines.shared, now="2026-11-23T10:00:00+00:00")
    for name in ("a", "b"):
        values = json.loads(machines(name, "config", "show", "--json").output)
        assert values["new-per-day"] == 40
    assert json.loads(machines("a", "config", "show", "--json").output)["sync-dir"] is None  # this machine's alone


def test_a_change_made_after_seeing_another_wins_even_with_a_slow_clock(machines):
    machines("a", "config", "set", "exam-date", "2027-03-15", now="2026-11-23T12:00:00+00:00")  # a's clock is hours ahead
    machines("a", "sync", machines.shared, now="2026-11-23T12:00:00+00:00")
    machines("b", "sync", machines.shared, now="2026-11-23T09:00:00+00:00")
    machines("b", "config", "set", "exam-date", "2027-04-01", now="2026-11-23T09:01:00+00:00")  # b saw a's, then changed it
    machines("b", "sync", machines.shared, now="2026-11-23T09:01:00+00:00")
    machines("a", "sync", machines.shared, now="2026-11-23T12:02:00+00:00")
    for name in ("a", "b"):
        assert json.loads(machines(name, "config", "show", "--json").output)["exam-date"] == "2027-04-01"


def test_a_session_syncs_at_start_and_end(machines, mini):
    machines("a", "config", "set", "sync-dir", str(machines.shared))
    machines("b", "config", "set", "sync-dir", str(machines.shared))
    machines("a", "study", "--bank", mini, "--new", "2", "--seed", "1", input="a\nb\n")
    result = machines("b", "study", "--bank", mini, "--new", "0", input="")
    assert "new review" in result.output  # what came in at the start
    assert reviews(machines.home("b")) == reviews(machines.home("a"))


def test_a_missing_sync_dir_skips_sync_in_one_line_and_the_session_runs(machines, mini, tmp_path):
    machines("a", "config", "set", "sync-dir", str(tmp_path / "unplugged"))
    result = machines("a", "study", "--bank", mini, "--new", "1", input="a\n")
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.output.splitlines() if line.startswith("Sync skipped")]
    assert skipped == [f"Sync skipped: {tmp_path / 'unplugged'}: no such folder"] * 2  # at the start and at the end
    assert len(reviews(machines.home("a"))) == 1


def test_mock_exams_travel_finished_and_in_progress(machines, mini):
    machines("a", "exam", "--bank", mini, "--count", "3", "--seed", "4", input="a\nb\na\ns\ny\n")
    machines("a", "exam", "--bank", mini, "--count", "2", "--seed", "5", input="a\n")  # end of input submits: make one in progress
    machines("a", "sync", machines.shared)
    machines("b", "sync", machines.shared)
    a = json.loads(machines("a", "exam", "--history", "--json").output)
    b = json.loads(machines("b", "exam", "--history", "--json").output)
    assert a == b and len(a) == 2
    assert reviews(machines.home("a")) == reviews(machines.home("b"))


def test_export_and_import_carry_exams_settings_and_old_files_still_import(machines, mini, tmp_path):
    machines("a", "exam", "--bank", mini, "--count", "3", "--seed", "4", input="a\nb\na\ns\ny\n")
    machines("a", "config", "set", "reviews-per-day", "150")
    out = tmp_path / "p.json"
    assert machines("a", "export", "-o", out).exit_code == 0
    doc = json.loads(out.read_text())
    assert len(doc["exams"]) == 1 and [s["key"] for s in doc["settings"]] == ["reviews-per-day"]
    result = machines("b", "import", out)
    assert result.exit_code == 0, result.output
    assert "Also merged 1 mock exams, 1 settings" in result.output
    assert json.loads(machines("b", "exam", "--history", "--json").output) == json.loads(machines("a", "exam", "--history", "--json").output)
    assert json.loads(machines("b", "config", "show", "--json").output)["reviews-per-day"] == 150
    again = machines("b", "import", out)
    assert "Also merged" not in again.output  # nothing new the second time
    old = {key: value for key, value in doc.items() if key not in ("exams", "settings", "parameters")}  # a file from before
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert machines("c", "import", tmp_path / "old.json").exit_code == 0
    assert reviews(machines.home("c")) == reviews(machines.home("a"))


def test_a_bad_exam_in_a_progress_file_is_named_by_field_and_line(machines, mini, tmp_path):
    machines("a", "exam", "--bank", mini, "--count", "3", "--seed", "4", input="a\nb\na\ns\ny\n")
    out = tmp_path / "p.json"
    machines("a", "export", "-o", out)
    text = out.read_text().replace('"status": "submitted"', '"status": "won"')
    out.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if '"won"' in t)
    result = machines("b", "import", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {out}:{line}: exams[0].status:")
    assert not (machines.home("b") / "progress.sqlite3").exists()


@pytest.mark.parametrize(
    ("field", "was", "bad"),
    [
        ("started_at", '"started_at": "2026', '"started_at": "0001'),  # accepted, then every later stats or history run broke
        ("finished_at", '"finished_at": "2026', '"finished_at": "9999'),
        ("answered_at", '"answered_at": "2026', '"answered_at": "1970'),
        ("changed_at", '"changed_at": "2026', '"changed_at": "2101'),
        ("bank", '"bank": "mini", "started_at"', '"bank": "mini\\u009b2J", "started_at"'),  # shown by exam --history
    ],
)
def test_exam_and_setting_times_and_names_are_checked_like_reviews(machines, mini, tmp_path, field, was, bad):
    machines("a", "exam", "--bank", mini, "--count", "3", "--seed", "4", input="a\nb\na\ns\ny\n")
    machines("a", "config", "set", "reviews-per-day", "150")
    out = tmp_path / "p.json"
    machines("a", "export", "-o", out)
    text = out.read_text()
    assert was in text, text
    out.write_text(text.replace(was, bad, 1))
    result = machines("b", "import", out)
    assert result.exit_code == 2, result.output
    error = result.output.strip().splitlines()[-1]
    assert error.startswith(f"Error: {out}:") and f".{field}:" in error, error
    assert "2000-2100" in error or "contains a control character" in error, error
    assert not (machines.home("b") / "progress.sqlite3").exists()


def test_compaction_keeps_the_folder_small_and_loses_nothing(machines, mini, monkeypatch):
    from certdrill.services import sync as service

    monkeypatch.setattr(service, "SEGMENT_BYTES", 300)  # about one review a file
    monkeypatch.setattr(service, "COMPACT_SEGMENTS", 2)
    machines("b", "sync", machines.shared)
    compacted = False
    for day in range(1, 6):
        now = f"2026-11-{22 + day:02d}T09:00:00+00:00"
        machines("a", "study", "--bank", mini, "--new", "2", "--seed", str(day), input="a\nb\na\nb\n", now=now)
        result = json.loads(machines("a", "sync", machines.shared, "--json", now=now).output)
        compacted |= result["compacted"]
        seen = json.loads(machines("b", "sync", machines.shared, "--json", now=now).output)
        assert seen["healed"] is False  # a compaction is no damage: b reads on
    assert compacted
    names = sorted(p.name for p in device_dir(machines, "a").iterdir())
    assert any(name.endswith(".snapshot.jsonl.gz") for name in names) and len(names) <= 4
    assert reviews(machines.home("b")) == reviews(machines.home("a"))
    machines("c", "sync", machines.shared)  # a new machine, from the snapshot and the tail
    assert reviews(machines.home("c")) == reviews(machines.home("a"))
    assert cards(machines.home("c")) == cards(machines.home("a"))


@pytest.mark.slow
def test_two_syncs_on_one_machine_at_once_lose_and_double_nothing(machines, mini):
    from support import start

    machines("a", "study", "--bank", mini, "--new", "3", "--seed", "1", input="a\nb\nc\n")
    runs = [start(["sync", machines.shared], machines.home("a")) for _ in range(3)]
    for run in runs:
        _, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
    lines = [line for f in device_dir(machines, "a").iterdir() for line in f.read_bytes().splitlines()]
    assert len(lines) == len(set(lines)) == len(reviews(machines.home("a")))


def test_fsrs_parameters_travel_and_the_newest_wins(machines, mini):
    from certdrill.insight.optimize import Record, Score
    from certdrill.store.store import Store

    machines("a", "study", "--bank", mini, "--new", "1", input="a\n")
    from certdrill.schedule.scheduler import default_parameters

    record = Record(tuple(round(w * 1.01, 4) for w in default_parameters()), True, "2026-11-23T09:00:00Z", 1, Score(0.3, 0.02), Score(0.4, 0.03))
    store = Store.open(machines.home("a") / "progress.sqlite3")
    store.set_optimizer_record(record.to_json())
    store.close()
    machines("a", "sync", machines.shared)
    result = json.loads(machines("b", "sync", machines.shared, "--json").output)
    assert result["parameters"] is True
    store = Store.open(machines.home("b") / "progress.sqlite3", read_only=True)
    assert Record.from_json(store.optimizer_record() or "") == record
    store.close()
    assert json.loads(machines("b", "sync", machines.shared, "--json").output)["parameters"] is False


def test_out_of_bounds_parameters_from_another_machine_are_refused(machines, mini):
    from certdrill.insight.optimize import Record, Score
    from certdrill.store.store import Store

    machines("a", "study", "--bank", mini, "--new", "1", input="a\n")
    bad = Record(tuple(9.0 for _ in range(21)), True, "2026-11-23T09:00:00Z", 1, Score(0.3, 0.02), Score(0.4, 0.03))
    store = Store.open(machines.home("a") / "progress.sqlite3")
    store.set_optimizer_record(bad.to_json())
    store.close()
    machines("a", "sync", machines.shared)
    result = json.loads(machines("b", "sync", machines.shared, "--json").output)
    assert result["parameters"] is False and result["unknown"] == 1


def test_undone_answers_and_suspensions_travel(machines, mini):
    machines("a", "study", "--bank", mini, "--new", "3", "--seed", "1", input="a\nbc\nt\nb\na\n")
    machines("a", "sync", machines.shared)
    machines("b", "sync", machines.shared)
    answered = len(reviews(machines.home("a")))
    assert answered >= 2 and reviews(machines.home("b")) == reviews(machines.home("a"))
    assert machines("a", "undo").exit_code == 0
    assert machines("a", "suspend", "ecr-scan", "--bank", mini).exit_code == 0
    machines("a", "sync", machines.shared)
    taken = json.loads(machines("b", "sync", machines.shared, "--json").output)
    assert (taken["added"], taken["controls"]) == (0, 2)  # an undo and a suspension are not new reviews
    assert "2 undos or suspension changes" in machines("c", "sync", machines.shared).output
    assert reviews(machines.home("b")) == reviews(machines.home("a")) and len(reviews(machines.home("b"))) == answered - 1
    assert cards(machines.home("b")) == cards(machines.home("a"))
    store = Store.open(machines.home("b") / "progress.sqlite3", read_only=True)
    try:
        assert set(store.suspended()) == {"ecr-scan"} and len(store.tombstones()) == 1
    finally:
        store.close()


def test_a_bad_setting_in_a_whole_read_file_is_named_by_field_and_line(machines, tmp_path):
    machines("a", "config", "set", "sync-dir", str(machines.shared))
    machines("a", "config", "set", "new-per-day", "12")
    out = tmp_path / "p.json"
    machines("a", "export", "-o", out)
    doc = json.loads(out.read_text())
    doc["settings"][0]["device"] = "no spaces allowed"
    text = json.dumps(doc, indent=2)  # not the export layout: read whole
    out.write_text(text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "no spaces allowed" in t)
    result = machines("b", "import", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {out}:{line}: settings[0].device:")


def test_first_syncs_started_at_once_agree_on_the_device_id(tmp_path):
    """Each would make its own id and the last to save it would win, leaving the others' records
    in a folder no later sync of this machine writes to."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CERTDRILL_HOME": str(tmp_path / "home")}
    code = "from certdrill.services.sync_state import device_id; print(device_id())"
    runs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True) for _ in range(6)]
    ids = {run.communicate(timeout=60)[0].strip() for run in runs}
    assert len(ids) == 1 and ids == {(tmp_path / "home" / "device-id").read_text().strip()}
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["device-id"]
