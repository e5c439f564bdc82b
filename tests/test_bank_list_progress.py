"""`bank list` with progress: due, interval, lapses, recall now and the suspended/leech flags, as
`certdrill item` sees them, in the table, the tab-separated lines of a big bank and the JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD
from support import json_of, log_reviews, stored_cards, truefalse_bank

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
PROGRESS = ("due", "interval_days", "lapses", "recall", "suspended", "leech")


def answers(item, ratings, *, start=T0, every_days=3):
    return [
        Review(f"{item}-{n:03d}", item, "tf", start + timedelta(days=every_days * n), r, (0,) if r == GOOD else (1,), r == GOOD, 1000, "study", "s")
        for n, r in enumerate(ratings)
    ]


def studied_bank(tmp_path, home):
    """Four items: tf-000 learned last week (due after 2026-12-01), tf-001 lapsed three times (a
    leech at leech-lapses 3), tf-002 answered once long ago, tf-003 never seen."""
    bank = truefalse_bank(tmp_path / "tf", 4)
    log_reviews(
        home,
        answers("tf-000", [GOOD, GOOD, GOOD], start=datetime(2026, 11, 9, 9, tzinfo=UTC))
        + answers("tf-001", [GOOD, GOOD, AGAIN, GOOD, AGAIN, GOOD, AGAIN, GOOD])
        + answers("tf-002", [GOOD]),
    )
    return bank


def listed(cli, *args):
    return {row["id"]: row for row in json_of(cli("bank", "list", "--json", *args))}


@pytest.mark.parametrize("exam_date", [None, "2026-12-01"])
def test_the_progress_columns_match_certdrill_item(cli, tmp_path, home, exam_date):
    """With an exam date too, which caps due dates past it (the list must read cards as `item` does)."""
    bank = studied_bank(tmp_path, home)
    if exam_date:
        assert cli("config", "set", "exam-date", exam_date).exit_code == 0
    rows = listed(cli, "--bank", bank)
    capped = {i: c.due for i, c in stored_cards(home).items()} != {
        i: datetime.fromisoformat(rows[i]["due"].replace("Z", "+00:00")) for i in rows if rows[i]["due"]
    }
    assert capped == bool(exam_date)
    for item_id in ("tf-000", "tf-001", "tf-002"):
        card = json_of(cli("item", item_id, "--bank", bank, "--json"))["card"]
        row = rows[item_id]
        assert (row["due"], row["lapses"], row["recall"]) == (card["due"], card["lapses"], card["recall_now"]), item_id
        last, due = (datetime.fromisoformat(card[k].replace("Z", "+00:00")) for k in ("last_review", "due"))
        assert row["interval_days"] == round((due - last).total_seconds() / 86400, 2) and row["interval_days"] > 0
        assert 0 < row["recall"] <= 1
    assert rows["tf-001"]["lapses"] == 3 and rows["tf-000"]["lapses"] == 0
    assert rows["tf-002"]["recall"] < rows["tf-000"]["recall"]  # answered once, seven weeks ago


def test_an_item_never_seen_has_null_progress(cli, tmp_path, home):
    bank = studied_bank(tmp_path, home)
    row = listed(cli, "--bank", bank)["tf-003"]
    assert {k: row[k] for k in PROGRESS} == {"due": None, "interval_days": None, "lapses": None, "recall": None, "suspended": False, "leech": False}
    assert json_of(cli("item", "tf-003", "--bank", bank, "--json"))["card"] is None


def test_suspended_and_leech_items_are_marked(cli, tmp_path, home, monkeypatch):
    bank = studied_bank(tmp_path, home)
    assert cli("config", "set", "leech-lapses", "3").exit_code == 0
    assert cli("suspend", "tf-002", "tf-003", "--bank", bank).exit_code == 0
    rows = listed(cli, "--bank", bank)
    assert [(i, rows[i]["suspended"], rows[i]["leech"]) for i in sorted(rows)] == [
        ("tf-000", False, False),
        ("tf-001", False, True),
        ("tf-002", True, False),
        ("tf-003", True, False),
    ]
    table = cli("bank", "list", "--bank", bank).output
    assert "suspended" in next(line for line in table.splitlines() if "tf-002" in line)
    assert "leech" in next(line for line in table.splitlines() if "tf-001" in line)
    from certdrill.cli import bank as bank_cli

    monkeypatch.setattr(bank_cli, "TABLE_LIMIT", 2)
    lines = {line.split("\t")[0]: line.split("\t") for line in cli("bank", "list", "--bank", bank).output.splitlines()}
    assert [lines[i][7] for i in sorted(lines)] == ["", "leech", "suspended", "suspended"]
    assert lines["tf-003"][3:7] == ["new", "", "", ""]
    assert lines["tf-001"][5] == "3" and lines["tf-001"][6] == f"{rows['tf-001']['recall']:.0%}"
    assert lines["tf-000"][3] == rows["tf-000"]["due"][:10]  # the local date; the tests run in UTC


def test_the_table_shows_due_interval_lapses_and_recall(cli, tmp_path, home):
    bank = studied_bank(tmp_path, home)
    rows = listed(cli, "--bank", bank)
    result = cli("bank", "list", "--bank", bank)
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if "lapses" in line)
    assert all(word in header.split() for word in ("due", "ivl", "lapses", "recall", "flags"))
    line = next(line for line in result.output.splitlines() if "tf-000" in line)
    assert rows["tf-000"]["due"][:10] in line and f"{rows['tf-000']['recall']:.0%}" in line
    assert "new" in next(line for line in result.output.splitlines() if "tf-003" in line)


def test_sort_by_due_recall_or_lapses_puts_items_never_seen_last(cli, tmp_path, home):
    bank = studied_bank(tmp_path, home)
    rows = listed(cli, "--bank", bank)

    def order(sort):
        return [row["id"] for row in json_of(cli("bank", "list", "--json", "--bank", bank, "--sort", sort))]

    seen = ["tf-000", "tf-001", "tf-002"]
    assert order("due") == [*sorted(seen, key=lambda i: rows[i]["due"]), "tf-003"]
    assert order("recall") == [*sorted(seen, key=lambda i: rows[i]["recall"]), "tf-003"]
    assert order("lapses")[0] == "tf-001" and order("lapses")[-1] == "tf-003"
    bad = cli("bank", "list", "--bank", bank, "--sort", "nope")
    assert bad.exit_code == 2 and bad.output.strip() == "Error: --sort: unknown order 'nope' (known: due, recall, lapses)"


def test_a_home_without_progress_lists_without_making_a_store(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    for args in ((), ("--json",), ("--jsonl",)):
        assert cli("bank", "list", "--bank", bank, *args).exit_code == 0
    assert not (home / "progress.sqlite3").exists()
    rows = [json.loads(line) for line in cli("bank", "list", "--jsonl", "--bank", bank).output.splitlines()]
    assert [row["due"] for row in rows] == [None, None] and [row["recall"] for row in rows] == [None, None]
