"""Undo: `u` in a session and `certdrill undo` take an answer back; its tombstone keeps it out of every merge and figure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD, SchedulerConfig, replay
from certdrill.store.store import Store
from support import json_of, log_reviews, stored, stored_cards, stored_reviews, truefalse_bank

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


def review(n, item="tf-000", rating=GOOD, *, days=0, kind="study"):
    return Review(f"r{n:03d}", item, "tf", T0 + timedelta(days=days), rating, (0,) if rating == GOOD else (1,), rating == GOOD, 1000, kind, "s")


def replayed_without(reviews, undone_id):
    events = [r.event() for r in reviews if r.id != undone_id]
    return replay(events, SchedulerConfig())


def test_undo_rebuilds_the_card_as_a_replay_without_that_answer(tmp_path):
    reviews = [review(0), review(1, days=1), review(2, rating=AGAIN, days=5), review(3, days=6)]
    store = Store.open(tmp_path / "p.sqlite3")
    try:
        store.merge_reviews(reviews)
        taken, card = store.undo("r002", T0 + timedelta(days=7), SchedulerConfig())
        assert taken == reviews[2]
        assert card == replayed_without(reviews, "r002") == store.cards()["tf-000"]
        assert [r.id for r in store.reviews()] == ["r000", "r001", "r003"]
        assert [t.review_id for t in store.tombstones()] == ["r002"]
    finally:
        store.close()


def test_undo_after_two_answers_leaves_one(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 3)
    assert cli("study", "--bank", bank, "--new", "2", input="t\nf\n").exit_code == 0
    first, second = stored_reviews(home)
    result = cli("undo")
    assert result.exit_code == 0, result.output
    assert "Undone:" in result.output and second.item_id in result.output
    assert stored_reviews(home) == [first]
    assert set(stored_cards(home)) == {first.item_id}  # the second item is new again


def test_undo_json_says_what_it_took_back_and_the_card_now(cli, home):
    log_reviews(home, [review(0), review(1, days=1)])
    out = json_of(cli("undo", "--json"))
    assert out["undone"]["id"] == "r001" and out["undone"]["item_id"] == "tf-000" and out["undone"]["correct"] is True
    assert out["card"]["reps"] == 1 and out["card"]["last_review"].startswith("2026-11-01")


def test_undo_with_nothing_to_undo_is_one_clear_line(cli, home):
    result = cli("undo")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["Error: nothing to undo: no study, missed or cram answer in the log"]
    assert not (home / "progress.sqlite3").exists() or stored_reviews(home) == []


def test_undo_skips_mock_exam_answers(cli, home):
    """A mock exam's answers are changed before submitting; `undo` takes back the latest other answer."""
    log_reviews(home, [review(0), review(1, days=1, kind="exam")])
    assert json_of(cli("undo", "--json"))["undone"]["id"] == "r000"
    assert [r.id for r in stored_reviews(home)] == ["r001"]


def test_undo_again_takes_the_one_before(cli, home):
    log_reviews(home, [review(0), review(1, days=1), review(2, days=2)])
    assert json_of(cli("undo", "--json"))["undone"]["id"] == "r002"
    assert json_of(cli("undo", "--json"))["undone"]["id"] == "r001"
    assert [r.id for r in stored_reviews(home)] == ["r000"]


def test_an_export_from_before_the_undo_does_not_bring_the_answer_back(cli, tmp_path, home):
    log_reviews(home, [review(0), review(1, rating=AGAIN, days=1)])
    before = tmp_path / "before.json"
    assert cli("export", "-o", before).exit_code == 0
    cli("undo")
    card = stored_cards(home)["tf-000"]
    assert cli("import", before).exit_code == 0
    assert [r.id for r in stored_reviews(home)] == ["r000"]
    assert stored_cards(home)["tf-000"] == card


def test_the_tombstone_travels_in_the_export_and_wins_on_the_other_device(cli, tmp_path, home):
    log_reviews(home, [review(0), review(1, days=1)])
    cli("undo")
    after = tmp_path / "after.json"
    assert cli("export", "-o", after).exit_code == 0
    doc = json.loads(after.read_text())
    assert doc["version"] == 2 and [u["id"] for u in doc["undone"]] == ["r001"] and doc["undone"][0]["undone_at"]
    other = tmp_path / "other.sqlite3"
    device = Store.open(other)
    try:
        device.merge_reviews([review(0), review(1, days=1)])  # the other device had both answers
    finally:
        device.close()
    (home / "progress.sqlite3").unlink()
    other.rename(home / "progress.sqlite3")
    assert cli("import", after).exit_code == 0
    assert [r.id for r in stored_reviews(home)] == ["r000"]
    assert stored(home, lambda s: [t.review_id for t in s.tombstones()]) == ["r001"]


def test_a_file_without_undos_stays_version_1_and_old_files_still_import(cli, tmp_path, home):
    log_reviews(home, [review(0)])
    out = tmp_path / "p.json"
    cli("export", "-o", out)
    assert json.loads(out.read_text())["version"] == 1
    (home / "progress.sqlite3").unlink()
    assert cli("import", out).exit_code == 0 and len(stored_reviews(home)) == 1


def test_a_bad_tombstone_is_refused_with_its_line_and_nothing_written(cli, tmp_path, home):
    log_reviews(home, [review(0), review(1, days=1)])
    cli("undo")
    out = tmp_path / "p.json"
    cli("export", "-o", out)
    text = out.read_text().replace('"undone_at": "', '"undone_at": "x', 1)
    out.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"undone_at": "x' in row)
    before = (home / "progress.sqlite3").read_bytes()
    result = cli("import", out)
    assert result.exit_code == 2 and f"p.json:{line}: undone[0].undone_at" in result.output, result.output
    assert (home / "progress.sqlite3").read_bytes() == before


def test_undone_answers_count_nowhere(cli, tmp_path, home):
    """Not in stats, not in missed, not in confusions."""
    bank = truefalse_bank(tmp_path / "tf", 1)
    assert cli("study", "--bank", bank, input="f\n").exit_code == 0  # wrong
    cli("undo")
    stats = json_of(cli("stats", "--json", "--bank", bank))
    assert stats["overall"]["reviews"] == 0 and stats["confusions"] == []
    assert "No missed items" in cli("missed", "--bank", bank).output


def test_u_in_a_session_asks_the_item_again_with_its_card_as_it_was(cli, tmp_path, home):
    bank = truefalse_bank(tmp_path / "tf", 2)
    log_reviews(home, [Review("old", "tf-000", "tf", T0, GOOD, (0,), True, 1000, "study", "s")])
    result = cli("study", "--bank", bank, "--item", "tf-000", "--item", "tf-001", input="f\nu\nt\nt\n")
    assert result.exit_code == 0, result.output
    assert "Undone: your answer to tf-000" in result.output
    assert result.output.count("Statement 0 is true.") == 2
    reviews = stored_reviews(home)
    assert [(r.item_id, r.correct) for r in reviews] == [("tf-000", True), ("tf-000", True), ("tf-001", True)]
    undone = stored(home, Store.tombstones)
    assert [t.review.correct for t in undone] == [False]
    assert "Answered 2, 2 of 2 right" in result.output  # the undone answer left the tally too


def test_u_restores_the_card_exactly(tmp_path, home):
    """In the session: the card after `u` is the card before the answer, and a replay of the log without it."""
    from certdrill.bank.open import load_bank
    from certdrill.services.controls import SessionControls
    from certdrill.services.study import Drill

    bank = load_bank(truefalse_bank(tmp_path / "tf", 1))
    item = bank.items[0]
    store = Store.open(home / "progress.sqlite3")
    try:
        store.merge_reviews([review(0), review(1, days=2)])
        config = SchedulerConfig()
        cards = store.cards()
        before = cards[item.id]
        controls = SessionControls(store, config, 8, "suspend")
        drill = Drill(store, bank, list(bank.items), [item], cards, config, "study", T0 + timedelta(days=30), "", "", controls=controls)
        session = drill.session(1, pause_after_answer=True)
        at = T0 + timedelta(days=20)
        shown = session.start(at)
        step = session.handle("f", at)
        assert step.save is not None
        drill.save(session, step.save)
        assert session.handle("", at).question.item == item  # wrong: it comes back (its step is due within the learn-ahead limit)
        step = session.handle("u", at)
        assert step.undone is not None and step.undone.review.id in {r.id for r in store.reviews()}  # logged until the loop undoes it
        drill.undo(session, step.undone, at)
        assert session.cards[item.id] == before == store.cards()[item.id] == replay([r.event() for r in store.reviews()], config)
        assert step.question == shown.question and session.tally.answered == 0 and not session.waiting and not session.todo
        again = session.handle("u", at)
        assert again.undone is None and again.message == "Nothing to undo in this session yet."  # back at the session's start
    finally:
        store.close()


@pytest.mark.slow
def test_u_at_the_prompt_after_the_feedback_in_a_terminal(tmp_path, home):
    import pexpect

    from support import spawn

    bank = truefalse_bank(tmp_path / "tf", 2)
    child = spawn(["study", "--bank", bank, "--new", "2"], home)
    child.expect("Question 1 of 2")
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("f")
    child.expect("Wrong.")
    child.expect(r"Enter: next · q: stop · u: undo > ")
    child.sendline("u")
    child.expect("Undone: your answer to tf-000")
    child.expect("Question 1 of 2")
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("t")
    child.expect("Correct.")
    child.expect("u: undo > ")
    child.sendline("")
    child.expect("Question 2 of 2")
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("u")  # at the next question: the answer just given
    child.expect("Undone: your answer to tf-000")
    child.expect("Question 1 of 2")
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stored_reviews(home) == [] and stored_cards(home) == {}
    assert [t.review.correct for t in stored(home, Store.tombstones)] == [False, True]
