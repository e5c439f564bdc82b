"""The study session as a pure state machine: typed lines in, Steps out (no terminal, no clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import LETTERS, Item
from certdrill.drill.session import AFTER, DONE, EOF, QUESTION, QUIT, RATE, REVEAL, Rules, Session, Step
from certdrill.schedule.scheduler import AGAIN, EASY, GOOD, HARD

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
PIPED = Rules(pause_after_answer=False)


def single(n: int, topic: str = "t") -> Item:
    return Item(f"q{n}", "single", topic, f"prompt {n}", ("w", "r", "x"), (1,), "e")


def card(n: int) -> Item:
    return Item(f"c{n}", "flashcard", "t", f"front {n}", (), (), "e", back=f"back {n}")


def typed(step: Step, right: bool) -> str:
    """The letter of the right (or of a wrong) choice as shown on screen."""
    assert step.question is not None
    order, item = step.question.order, step.question.item
    index = item.answer[0] if right else next(i for i in range(len(item.choices)) if i not in item.answer)
    return LETTERS[order.index(index)]


def drive(session: Session, answers, *, start: datetime = T0, seconds: int = 0):
    """Answer each question shown with the next verdict of `answers` (True right, False wrong, or a
    suffix mark like "?"), the clock moving `seconds` per answer; returns the item ids asked in order."""
    asked, now = [], start
    step = session.start(now)
    for answer in answers:
        if step.kind in (DONE, QUIT, EOF):
            break
        asked.append(step.question.item.id)
        now += timedelta(seconds=seconds)
        mark = answer if isinstance(answer, str) else ""
        step = session.handle(typed(step, answer is not False) + mark, now)
        assert step.save is not None
    return asked, step


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # all right: each new item takes its 10-minute step at the end of the session (learn-ahead)
        ([True] * 6, ["q0", "q1", "q2", "q0", "q1", "q2"]),
        # a miss comes back after 3 other answers, then after 6 (here: when nothing else is left)
        ([False, True, True, True, True, True, True], ["q0", "q1", "q2", "q0", "q1", "q2", "q0"]),
        # all wrong: each item is asked 3 times at most, then the session ends by itself
        ([False] * 20, ["q0", "q1", "q2", "q0", "q1", "q2", "q0", "q1", "q2"]),
    ],
)
def test_a_frozen_clock_serves_steps_within_the_learn_ahead_limit_and_ends(answers, expected):
    session = Session([single(0), single(1), single(2)], {}, bank="b", rules=PIPED)
    asked, step = drive(session, answers)
    assert asked == expected
    assert step.kind == DONE


def test_all_wrong_session_of_n_items_shows_all_and_ends_within_five_n():
    n = 12
    session = Session([single(i) for i in range(n)], {}, bank="b", rules=PIPED)
    asked, step = drive(session, [False] * (5 * n))
    assert step.kind == DONE and set(asked) == {f"q{i}" for i in range(n)} and len(asked) <= 5 * n
    assert len(session.parked) == n  # each waits for another session (certdrill missed)
    # new items keep coming between the misses: never more than 7 repeats in a row before the last
    # new item, and that one comes within 3·N answers
    first_asks = sorted(asked.index(f"q{i}") for i in range(n))
    assert max(b - a - 1 for a, b in itertools.pairwise(first_asks)) <= 7
    assert first_asks[-1] < 3 * n


def test_misses_come_back_at_growing_gaps_in_real_time():
    """With a clock that moves (a minute an answer), a miss returns when its step is due and after
    3, then 6 other answers."""
    items = [single(i) for i in range(20)]
    session = Session(items, {}, bank="b", rules=PIPED)
    verdicts = {"q0": [False, False, True]}
    asked, now = [], T0
    step = session.start(now)
    while step.kind == QUESTION and len(asked) < 40:
        item_id = step.question.item.id
        asked.append(item_id)
        right = verdicts[item_id].pop(0) if verdicts.get(item_id) else True
        now += timedelta(minutes=1)
        step = session.handle(typed(step, right), now)
    times = [i for i, item_id in enumerate(asked) if item_id == "q0"]
    gaps = [b - a - 1 for a, b in itertools.pairwise(times)]
    assert gaps[:2] == [3, 6]


def test_a_step_due_now_comes_before_the_rest_of_the_queue():
    items = [single(i) for i in range(8)]
    session = Session(items, {}, bank="b", rules=PIPED)
    asked, _ = drive(session, [True] * 8, seconds=300)  # 5 minutes an answer: q0 is due again after 2, back after 3 others
    assert asked[:5] == ["q0", "q1", "q2", "q3", "q0"]  # not at the end, as under a frozen clock


def test_a_step_beyond_the_learn_ahead_limit_waits_and_the_session_ends():
    session = Session([single(0)], {}, bank="b", rules=Rules(pause_after_answer=False, learn_ahead=timedelta(minutes=5)))
    asked, step = drive(session, [True, True])
    assert asked == ["q0"] and step.kind == DONE  # its 10-minute step is due later
    assert session.waiting_later and session.waiting_later[0] == T0 + timedelta(minutes=10)


@pytest.mark.parametrize(("mark", "rating"), [("", GOOD), ("?", HARD), ("!", EASY)])
def test_a_mark_after_the_answer_gives_hard_or_easy_without_a_second_line(mark, rating):
    session = Session([single(0)], {}, bank="b", rules=PIPED)
    step = session.start(T0)
    step = session.handle(typed(step, True) + mark, T0)
    assert step.save is not None and step.save.review.rating == rating


def test_a_mark_on_a_wrong_answer_is_still_again():
    session = Session([single(0)], {}, bank="b", rules=PIPED)
    step = session.start(T0)
    assert session.handle(typed(step, False) + "!", T0).save.review.rating == AGAIN


def test_hard_on_every_ask_does_not_keep_an_item_in_the_session_for_ever():
    session = Session([single(0)], {}, bank="b", rules=PIPED)
    asked, step = drive(session, ["?"] * 10)
    assert asked == ["q0"] * 3 and step.kind == DONE


def test_on_a_terminal_the_verdict_waits_for_enter_and_h_amends():
    session = Session([single(0), single(1)], {}, bank="b")
    step = session.start(T0)
    assert step.kind == QUESTION and step.question.progress.number == 1
    step = session.handle(typed(step, True), T0)
    assert step.kind == AFTER and step.verdict.correct and step.question is None and step.save.review.rating == GOOD
    step = session.handle("e", T0)
    assert step.amend is not None and step.amend.review.rating == EASY and step.amend.card.state == 2
    assert step.kind == QUESTION and step.question.item.id == "q1"
    assert "q0" not in session.waiting  # Easy graduated it: it does not come back


def test_the_header_counts_do_not_grow_with_misses():
    session = Session([single(0), single(1)], {}, bank="b", rules=PIPED)
    step = session.start(T0)
    progress = []
    for _ in range(6):
        if step.question is None:
            break
        progress.append(step.question.progress)
        step = session.handle(typed(step, False), T0)
    assert {p.total for p in progress} == {2}
    assert [(p.number, p.repeat, p.new_left) for p in progress] == [(1, False, 2), (2, False, 1), (1, True, 0), (2, True, 0), (1, True, 0), (2, True, 0)]


def test_flashcards_reveal_then_rate_and_an_unknown_rating_asks_again():
    session = Session([card(0)], {}, bank="b", rules=PIPED)
    step = session.start(T0)
    assert step.kind == REVEAL
    step = session.handle("", T0)
    assert step.kind == RATE and step.verdict.item.id == "c0"
    step = session.handle("nope", T0)
    assert step.kind == RATE and "rate 1 again" in step.message and step.save is None
    step = session.handle("4", T0)
    assert step.save.review.rating == EASY and step.kind == DONE
    assert (session.tally.cards, session.tally.recalled, session.tally.graded) == (1, 1, 0)


def test_a_typo_asks_again_and_q_quits():
    session = Session([single(0)], {}, bank="b", rules=PIPED)
    session.start(T0)
    step = session.handle("z", T0)
    assert step.kind == QUESTION and "not a choice" in step.message and step.save is None
    assert session.handle("q", T0).kind == QUIT


def test_missed_drills_until_right_and_gives_up_after_five():
    session = Session([single(0)], {}, bank="b", kind="missed", rules=Rules(max_asks=5, until_right=True, pause_after_answer=False))
    asked, step = drive(session, [False, False, True, True])
    assert asked == ["q0"] * 3 and step.kind == DONE
    session = Session([single(1)], {}, bank="b", kind="missed", rules=Rules(max_asks=5, until_right=True, pause_after_answer=False))
    asked, step = drive(session, [False] * 9)
    assert asked == ["q1"] * 5 and step.kind == DONE and session.parked == ["q1"]


def test_review_ids_follow_the_last_logged_one_under_a_frozen_clock():
    """Ids of one millisecond sort after the latest id logged by another process."""
    from certdrill.schedule.review_log import new_review_id

    other = new_review_id(T0)
    later = f"{other[:12]}fff0{'0' * 16}"  # another process already counted far
    session = Session([single(0)], {}, bank="b", rules=PIPED, last_review_id=later)
    step = session.start(T0)
    step = session.handle(typed(step, True), T0)
    assert step.save.review.id > later


def test_under_a_frozen_clock_a_miss_comes_back_three_questions_later():
    session = Session([single(i) for i in range(8)], {}, bank="b", rules=PIPED)
    asked, _ = drive(session, [False] + [True] * 7)
    assert asked[:5] == ["q0", "q1", "q2", "q3", "q0"]
