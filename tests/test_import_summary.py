"""What `import` says it did: undone answers counted apart from reviews, and truthfully; and
`export` from a home that has no progress yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import GOOD
from certdrill.store.store import Store
from support import json_of, stored_reviews

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def review(n, item="tf-000", *, days=0):
    return Review(f"r{n:03d}", item, "tf", T0 + timedelta(days=days), GOOD, (0,), True, 1000, "study", "s")


def log(path, reviews):
    store = Store.open(path)
    try:
        store.merge_reviews(reviews)
    finally:
        store.close()


def undone_export(cli, tmp_path, home, *, undos=1):
    """Three answers here, the last `undos` of them undone, exported; the store then swapped for a
    device that still has all three."""
    log(home / "progress.sqlite3", [review(n, days=n) for n in range(3)])
    for _ in range(undos):
        assert cli("undo").exit_code == 0
    out = tmp_path / "after.json"
    assert cli("export", "-o", out).exit_code == 0
    assert len(json.loads(out.read_text())["undone"]) == undos
    (home / "progress.sqlite3").unlink()
    log(home / "progress.sqlite3", [review(n, days=n) for n in range(3)])
    return out


def test_undone_answers_are_counted_apart_from_reviews(cli, tmp_path, home):
    out = undone_export(cli, tmp_path, home, undos=2)
    result = cli("import", out)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Imported 0 new reviews (1 already here) from {out}; 2 undone answers applied"
    assert [r.id for r in stored_reviews(home)] == ["r000"]


def test_importing_the_same_undos_again_says_they_are_already_undone(cli, tmp_path, home):
    out = undone_export(cli, tmp_path, home)
    assert cli("import", out).exit_code == 0
    again = json_of(cli("import", out, "--json"))
    assert again == {
        "file": str(out),
        "reviews_read": 2,
        "reviews_added": 0,
        "reviews_already_here": 2,
        "undone_applied": 0,
        "undone_already": 1,
        "exams": 0,
        "settings": 0,
        "parameters": False,
    }
    assert cli("import", out).output.strip().endswith("; 1 undone answer already undone here")


def test_an_export_from_before_the_undo_counts_the_undone_answer_as_such_not_as_already_here(cli, tmp_path, home):
    log(home / "progress.sqlite3", [review(0), review(1, days=1)])
    before = tmp_path / "before.json"
    assert cli("export", "-o", before).exit_code == 0
    assert cli("undo").exit_code == 0
    out = json_of(cli("import", before, "--json"))
    assert (out["reviews_read"], out["reviews_added"], out["reviews_already_here"], out["undone_applied"], out["undone_already"]) == (2, 0, 1, 0, 1)
    assert [r.id for r in stored_reviews(home)] == ["r000"]


def test_a_first_import_with_undos_counts_them_applied(cli, tmp_path, home, monkeypatch):
    out = undone_export(cli, tmp_path, home)
    monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / "fresh"))
    done = json_of(cli("import", out, "--json"))
    assert (done["reviews_added"], done["reviews_already_here"], done["undone_applied"], done["undone_already"]) == (2, 0, 1, 0)


def test_export_from_a_home_without_progress_is_valid_and_makes_no_store(cli, tmp_path, home):
    out = tmp_path / "empty.json"
    result = cli("export", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Exported 0 reviews and 0 cards" in result.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "certdrill-progress" and doc["reviews"] == [] and doc["cards"] == []
    assert not [p.name for p in home.glob("progress.sqlite3*")]
    assert cli("import", out).exit_code == 0  # and it imports (into a store made then)
    assert stored_reviews(home) == []


def test_export_to_stdout_and_as_anki_from_an_empty_home_make_no_store(cli, tmp_path, home):
    doc = json.loads(cli("export", "-o", "-").output)
    assert doc["reviews"] == []
    assert cli("export", "--format", "anki", "--with-progress", "-o", tmp_path / "deck.apkg").exit_code == 0
    assert not [p.name for p in home.glob("progress.sqlite3*")]


def test_an_empty_home_exports_its_changed_settings(cli, tmp_path, home):
    assert cli("config", "set", "leech-lapses", "5").exit_code == 0
    out = tmp_path / "settings.json"
    assert cli("export", "-o", out).exit_code == 0
    assert [s["key"] for s in json.loads(out.read_text())["settings"]] == ["leech-lapses"]
    assert not (home / "progress.sqlite3").exists()
