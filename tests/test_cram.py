"""`cram`: items not due, most at risk first, logged as `cram` and scheduled as early reviews."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from certdrill.bank.items import Item
from certdrill.drill.cram import cram_items
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import GOOD, CardState, SchedulerConfig, State, replay
from certdrill.store.store import Store
from support import json_of, log_reviews, stored, stored_cards, stored_reviews, truefalse_bank

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)  # the tests' frozen clock


def learned(item, *days_ago):
    return [Review(f"{item}-{n}", item, "tf", NOW - timedelta(days=d), GOOD, (0,), True, 1000, "study", "s") for n, d in enumerate(days_ago)]


def asked(output):
    """The items asked, in order: the header names none (ids often name the answer), so each
    true/false statement shown stands for its item (tf-000 says 'Statement 0 is true.')."""
    return [f"tf-{int(n):03d}" for n in re.findall(r"^\s*Statement (\d+) is true\.", output, re.M)]


def card(due_days, stability, recall_rank):
    return CardState(State.REVIEW, None, stability, 5.0, NOW + timedelta(days=due_days), NOW - timedelta(days=recall_rank), 3, 0)


def test_cram_items_table():
    items = [Item(id=i, type="flashcard", topic="t", prompt="", choices=(), answer=(), explanation="", back="") for i in "abcde"]
    day_end = NOW + timedelta(hours=15)
    cards = {"a": card(10, 30.0, 5), "b": card(3, 4.0, 1), "c": card(0.1, 8.0, 9), "d": card(40, 90.0, 20)}  # c is due today; e is new
    recall = {"a": 0.8, "b": 0.95, "d": 0.7}

    def pick(**kw):
        return [i.id for i in cram_items(items, cards, day_end=day_end, recall=lambda c: recall[next(k for k, v in cards.items() if v is c)], **kw)]

    assert pick() == ["d", "a", "b"]  # lowest predicted recall first; not the due one, not the new one
    assert pick(weakest=True) == ["b", "a", "d"]  # lowest stability first
    assert pick(due_within=15) == ["a", "b"]
    assert pick(count=1) == ["d"]


def test_cram_asks_items_not_due_and_logs_them_as_cram(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 4)
    log_reviews(home, learned("tf-000", 6, 5) + learned("tf-001", 12, 11, 2) + learned("tf-002", 1))  # 000 and 001 wait for later days; 002 is due
    cards = stored_cards(home)
    assert cards["tf-000"].due > NOW + timedelta(days=1) and cards["tf-001"].due > NOW + timedelta(days=1)
    result = cli("cram", "--bank", bank, input="t\nt\n")
    assert result.exit_code == 0, result.output
    assert sorted(asked(result.output)) == ["tf-000", "tf-001"] and "Cram summary" in result.output
    crammed = [r for r in stored_reviews(home) if r.kind == "cram"]
    assert sorted(r.item_id for r in crammed) == ["tf-000", "tf-001"]
    after = stored_cards(home)
    for item in ("tf-000", "tf-001"):  # scheduled as an early review: the card is the replay of its log, cram included
        assert after[item].reps == cards[item].reps + 1
        assert after[item] == replay([r.event() for r in stored_reviews(home) if r.item_id == item], SchedulerConfig())


def test_cram_leaves_out_suspended_items_and_says_when_nothing_waits(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    assert "Nothing to cram" in cli("cram", "--bank", bank).output
    log_reviews(home, learned("tf-000", 6, 5))
    cli("suspend", "tf-000", "--bank", bank)
    assert "Nothing to cram" in cli("cram", "--bank", bank).output


def test_cram_flags_are_checked(cli, tmp_path):
    bank = truefalse_bank(tmp_path / "tf", 1)
    assert cli("cram", "--bank", bank, "--count", "0").exit_code == 2
    assert cli("cram", "--bank", bank, "--due-within", "-1").exit_code == 2
    assert cli("cram", "--bank", bank, "--topic", "nope").exit_code == 2


def test_a_cram_answer_makes_the_export_version_2(cli, tmp_path, home):
    """An older certdrill does not know the kind `cram`: it is told to upgrade instead of failing on a review."""
    bank = truefalse_bank(tmp_path / "tf", 1)
    log_reviews(home, learned("tf-000", 6, 5))
    cli("cram", "--bank", bank, input="t\n")
    out = tmp_path / "p.json"
    cli("export", "-o", out)
    import json

    assert json.loads(out.read_text())["version"] == 2
    assert json_of(cli("stats", "--json", "--bank", bank))["overall"]["reviews"] == 3  # cram answers count in stats


def test_cram_runs_under_the_study_rules_a_miss_comes_back_and_u_takes_it_back(cli, tmp_path, home):
    """A wrong cram answer's relearning step is due within the learn-ahead limit: asked again in the
    session (study's Rules), at most 3 times; `u` takes a cram answer back like any other."""
    bank = truefalse_bank(tmp_path / "tf", 1)
    log_reviews(home, learned("tf-000", 6, 5))
    result = cli("cram", "--bank", bank, input="f\nf\nu\nf\nf\nt\n")
    assert result.exit_code == 0, result.output
    assert "Undone: your answer to tf-000" in result.output
    # shown 5 times: asks 1 and 2 missed, ask 3 on screen when `u` takes ask 2 back and shows it again,
    # ask 2 missed again, ask 3 missed: 3 asks, the cap, and the session ends (the last `t` is not read)
    assert asked(result.output) == ["tf-000"] * 5
    crammed = [r for r in stored_reviews(home) if r.kind == "cram"]
    assert [r.correct for r in crammed] == [False, False, False]
    assert [t.review.kind for t in stored(home, Store.tombstones)] == ["cram"]
