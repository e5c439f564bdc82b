"""Suspend and unsuspend, and leeches: what is never asked, what is flagged, and how both travel and undo."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from certdrill.schedule.controls import Suspension, suspended_items
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD
from certdrill.store.store import Store
from support import json_of, log_reviews, stored, stored_reviews, truefalse_bank

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def lapsed(item, lapses, *, start=0):
    """An item learned, then forgotten `lapses` times (each an Again in review, then relearned)."""
    ratings = [GOOD, GOOD] + [r for _ in range(lapses) for r in (AGAIN, GOOD)]
    return [
        Review(f"{item}-{start + n:03d}", item, "tf", T0 + timedelta(days=3 * n), r, (0,) if r == GOOD else (1,), r == GOOD, 1000, "study", "s")
        for n, r in enumerate(ratings)
    ]


def asked(output):
    """The items asked, in order: the header names none (ids often name the answer), so each
    true/false statement shown stands for its item (tf-000 says 'Statement 0 is true.')."""
    return [f"tf-{int(n):03d}" for n in re.findall(r"^\s*Statement (\d+) is true\.", output, re.M)]


def test_last_writer_wins_and_an_undone_answer_lifts_its_suspension():
    at = T0
    events = [
        Suspension("e1", "a", at, True),
        Suspension("e2", "a", at + timedelta(hours=1), False),
        Suspension("e3", "b", at, True),
        Suspension("e4", "c", at, True, "leech", review_id="r9"),
    ]
    assert set(suspended_items(events)) == {"b", "c"}
    assert set(suspended_items(events, undone={"r9"})) == {"b"}
    assert set(suspended_items([*events, Suspension("e0", "a", at + timedelta(hours=2), True)])) == {"a", "b", "c"}


def test_a_suspended_item_is_never_asked_by_study_and_stats_counts_it(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 3)
    result = cli("suspend", "tf-001", "--bank", bank)
    assert result.exit_code == 0 and "Suspended 1: tf-001" in result.output
    session = cli("study", "--bank", bank, input="t\nt\nt\n")
    shown = asked(session.output)
    assert shown[:2] == ["tf-000", "tf-002"] and "tf-001" not in shown  # then tf-000's learning step (issue 12)
    stats = json_of(cli("stats", "--json", "--bank", bank))
    assert stats["suspended"] == {"count": 1, "ids": ["tf-001"]}
    assert "Suspended: 1 of 3 items" in cli("stats", "--bank", bank).output
    assert "Already suspended 1: tf-001" in cli("suspend", "tf-001", "--bank", bank).output
    assert cli("unsuspend", "tf-001", "--bank", bank).exit_code == 0
    assert "tf-001" in asked(cli("study", "--bank", bank, input="t\nt\nt\n").output)


def test_suspend_a_topic(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    out = json_of(cli("suspend", "--topic", "tf", "--bank", bank, "--json"))
    assert out == {"suspended": True, "changed": ["tf-000", "tf-001"], "unchanged": []}
    assert "Nothing due today" in cli("study", "--bank", bank).output


def test_suspended_items_are_never_asked_by_missed_or_exam(cli, mini, home):
    every = [i["id"] for i in json.loads(cli("bank", "list", "--json", "--bank", mini).output)]
    keep = "roles-pull"
    assert cli("suspend", *[i for i in every if i != keep], "--bank", mini).exit_code == 0
    exam = cli("exam", "--bank", mini, "--count", "5", input="s\ny\n")
    assert "so the exam has 1 instead of 5" in exam.output and "Which role pulls a private ECR image" in exam.output, exam.output
    log_reviews(home, [Review("w1", "ecr-scan", "mini", T0, AGAIN, (0,), False, 1000, "study", "s")])
    assert "No missed items" in cli("missed", "--bank", mini, "--days", "3650").output


def test_an_unknown_id_or_no_id_is_one_clear_line_and_nothing_written(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    result = cli("suspend", "tf-00l", "--bank", bank)
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: ID: unknown item id 'tf-00l' in tf; did you mean ")
    assert not (home / "progress.sqlite3").exists()
    assert cli("unsuspend", "--bank", bank).exit_code == 2
    assert cli("suspend", "--topic", "nope", "--bank", bank).exit_code == 2


def test_suspension_travels_in_export_and_import(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    cli("suspend", "tf-000", "--bank", bank)
    out = tmp_path / "p.json"
    assert cli("export", "-o", out).exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["version"] == 2 and [(s["item_id"], s["suspended"]) for s in doc["suspensions"]] == [("tf-000", True)]
    (home / "progress.sqlite3").unlink()
    assert cli("import", out).exit_code == 0
    assert stored(home, lambda s: set(s.suspended())) == {"tf-000"}
    assert cli("import", out).exit_code == 0 and len(stored(home, Store.suspension_events)) == 1  # repeating changes nothing


def test_three_lapses_with_leech_lapses_3_make_a_leech_that_study_no_longer_asks(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    assert cli("config", "set", "leech-lapses", "3").exit_code == 0
    log_reviews(home, lapsed("tf-000", 2))
    session = cli("study", "--bank", bank, "--item", "tf-000", "--item", "tf-001", input="f\nt\n")
    assert session.exit_code == 0, session.output
    assert "Leech: tf-000 has lapsed 3 times" in session.output and "It is suspended" in session.output
    shown = asked(session.output)
    assert shown[:2] == ["tf-000", "tf-001"] and shown.count("tf-000") == 1  # the wrong answer did not come back: suspended
    stats = json_of(cli("stats", "--json", "--bank", bank))
    assert stats["leeches"] == [{"id": "tf-000", "lapses": 3, "suspended": True}]
    assert "Leeches: 1" in cli("stats", "--bank", bank).output
    assert "tf-000" not in asked(cli("study", "--bank", bank, "--item", "tf-000", input="t\n").output)
    drill = cli("missed", "--leeches", "--bank", bank, input="t\n")
    assert asked(drill.output) == ["tf-000"] and "1 leech(es) (1 suspended" in drill.output
    assert stored_reviews(home)[-1].kind == "missed"


def test_leech_action_tag_keeps_the_leech_in_sessions(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 1)
    cli("config", "set", "leech-lapses", "3")
    cli("config", "set", "leech-action", "tag")
    log_reviews(home, lapsed("tf-000", 2))
    session = cli("study", "--bank", bank, "--item", "tf-000", input="f\nt\n")
    assert "tagged as a leech" in session.output
    assert asked(session.output) == ["tf-000", "tf-000"]  # wrong: back later in the session, as any item
    assert json_of(cli("stats", "--json", "--bank", bank))["leeches"] == [{"id": "tf-000", "lapses": 3, "suspended": False}]


def test_undoing_the_answer_that_made_a_leech_lifts_its_suspension(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 1)
    cli("config", "set", "leech-lapses", "3")
    log_reviews(home, lapsed("tf-000", 2))
    cli("study", "--bank", bank, "--item", "tf-000", input="f\n")
    assert stored(home, lambda s: set(s.suspended())) == {"tf-000"}
    assert cli("undo").exit_code == 0
    assert stored(home, Store.suspended) == {}
    assert json_of(cli("stats", "--json", "--bank", bank))["leeches"] == []


def test_leech_settings_are_checked(cli):
    assert cli("config", "set", "leech-lapses", "0").exit_code == 2
    bad = cli("config", "set", "leech-action", "delete")
    assert bad.exit_code == 2 and "leech-action" in bad.output and "suspend or tag" in bad.output
    shown = json_of(cli("config", "show", "--json"))
    assert shown["leech-lapses"] == 8 and shown["leech-action"] == "suspend"


def test_stats_shows_the_leeches_with_most_lapses_and_json_lists_them_all(cli, tmp_path, home, monkeypatch):
    from certdrill.ui import stats as shown_stats

    bank = truefalse_bank(tmp_path / "tf", 3)
    assert cli("config", "set", "leech-lapses", "2").exit_code == 0
    log_reviews(home, lapsed("tf-000", 3) + lapsed("tf-001", 2))
    monkeypatch.setattr(shown_stats, "LEECHES_SHOWN", 1)
    text = " ".join(cli("stats", "--bank", bank).output.split())
    assert "Leeches: 2" in text and "the 1 with most lapses below, stats --json lists all" in text
    assert "tf-000" in text and "tf-001" not in text
    assert [leech["id"] for leech in json_of(cli("stats", "--json", "--bank", bank))["leeches"]] == ["tf-000", "tf-001"]
