"""The mock exam's pure core: drawing by weight, navigation, the deadline, scoring."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from certdrill.bank.items import LETTERS, Item
from certdrill.drill.exam import (
    ABANDONED,
    CONFIRM,
    EXPIRED,
    NOTICE,
    OVERVIEW,
    QUESTION,
    SUBMITTED,
    Exam,
    allocate,
    choice_order,
    draw_exam,
    eligible,
    exam_score,
    format_left,
)
from certdrill.schedule.scheduler import AGAIN, GOOD

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


def single(item_id, topic="a", answer=1, status="active"):
    return Item(item_id, "single", topic, f"prompt {item_id}", ("w", "x", "y", "z"), (answer,), "because", status=status)


def bank(sizes):
    return [single(f"{topic}-{n}", topic) for topic, size in sizes.items() for n in range(size)]


@pytest.mark.parametrize(
    ("available", "weights", "count", "expected"),
    [
        ({"a": 10, "b": 10}, {}, 10, {"a": 5, "b": 5}),
        ({"a": 10, "b": 10}, {"a": 2}, 9, {"a": 6, "b": 3}),
        # 10/3 each: the one spare seat goes to the first name on a tie
        ({"a": 9, "b": 9, "c": 9}, {}, 10, {"a": 4, "b": 3, "c": 3}),
        # largest remainder, not rounding each: 7 × (1.5, 1, 1)/3.5 = 3.0, 2.0, 2.0
        ({"a": 9, "b": 9, "c": 9}, {"a": 1.5}, 7, {"a": 3, "b": 2, "c": 2}),
        # 5 × (0.5, 0.3, 0.2) = 2.5, 1.5, 1.0: two half remainders, the heavier topic wins
        ({"a": 9, "b": 9, "c": 9}, {"a": 5, "b": 3, "c": 2}, 5, {"a": 3, "b": 1, "c": 1}),
        # a topic smaller than its share gives the rest back to the others
        ({"a": 2, "b": 10, "c": 10}, {"a": 4}, 12, {"a": 2, "b": 5, "c": 5}),
        # weight 0: never asked
        ({"a": 5, "b": 5}, {"b": 0}, 4, {"a": 4, "b": 0}),
        # more wanted than there are: everything
        ({"a": 3, "b": 1}, {}, 65, {"a": 3, "b": 1}),
        ({"a": 0, "b": 4}, {}, 2, {"a": 0, "b": 2}),
    ],
)
def test_allocate_by_largest_remainder(available, weights, count, expected):
    assert allocate(available, weights, count) == expected


def test_allocate_the_builtin_shape_adds_up():
    available = dict.fromkeys("abcdefghijklm", 15)
    weights = {"a": 1.5, "b": 1.5, "c": 1.2, "d": 1.2}
    share = allocate(available, weights, 65)
    assert sum(share.values()) == 65
    # 65/14.4 per unit of weight: a, b 6.77; c, d 5.42; the rest 4.51. The seven spare seats go to
    # the largest remainders: a, b (.77), then five of the nine 1-weight topics (.51), not to c, d (.42).
    assert share == {"a": 7, "b": 7, "c": 5, "d": 5, **dict.fromkeys("efghi", 5), **dict.fromkeys("jklm", 4)}


def test_draw_respects_weights_and_eligibility():
    items = [*bank({"a": 12, "b": 12, "c": 12})]
    items.append(Item("card", "flashcard", "a", "p", (), (), "e", back="b"))
    items.append(single("draft", "a", status="needs-review"))
    drawn = draw_exam(items, {"a": 2}, 8, random.Random(1))
    assert Counter(i.topic for i in drawn) == {"a": 4, "b": 2, "c": 2}
    assert len({i.id for i in drawn}) == 8
    assert not {"card", "draft"} & {i.id for i in drawn}
    assert draw_exam(items, {"a": 2}, 8, random.Random(1)) == drawn
    assert len(draw_exam(items, {}, 500, random.Random(1))) == len(eligible(items, {})) == 36


def test_choice_order_is_fixed_by_the_seed():
    item = Item("m", "single", "a", "p", tuple("abcdef"), (0,), "e")
    assert choice_order(item, 5) == choice_order(item, 5)
    assert sorted(choice_order(item, 5)) == list(range(6))
    assert len({choice_order(item, seed) for seed in range(20)}) > 1
    truefalse = Item("t", "truefalse", "a", "p", ("True", "False"), (0,), "e")
    assert choice_order(truefalse, 5) == (0, 1)


@pytest.mark.parametrize(
    ("correct", "total", "scaled", "passes"),
    [(0, 65, 100, False), (65, 65, 1000, True), (44, 65, 709, False), (45, 65, 723, True), (1, 8, 213, False), (1, 4, 325, False), (31, 45, 720, True)],
)
def test_exam_score_is_linear_with_720_to_pass(correct, total, scaled, passes):
    assert exam_score(correct, total) == scaled
    assert (scaled >= 720) is passes


def exam(n=4, minutes=10):
    items = tuple(single(f"q{p}", "ab"[p % 2]) for p in range(n))
    return Exam(items, T0, minutes, seed=3)


def letter_for(ex, position, index):
    return LETTERS[ex.order(position).index(index)]


def test_answering_moves_on_and_the_last_shows_the_overview():
    ex = exam(2)
    step = ex.handle(letter_for(ex, 0, 1), T0)
    assert (step.kind, step.changed, ex.current, ex.answers[0]) == (QUESTION, 0, 1, (1,))
    step = ex.handle(letter_for(ex, 1, 2), T0 + timedelta(minutes=1))
    assert (step.kind, step.changed, ex.current) == (OVERVIEW, 1, 1)
    assert ex.answered_at == [T0, T0 + timedelta(minutes=1)]


def test_back_goto_and_flag():
    ex = exam(4)
    assert ex.handle("p", T0).kind == NOTICE
    assert ex.handle("", T0).kind == QUESTION and ex.current == 1
    flag = ex.handle("!", T0)
    assert (flag.kind, flag.changed, ex.flagged) == (NOTICE, 1, [False, True, False, False])
    assert ex.handle("g 4", T0).kind == QUESTION and ex.current == 3
    assert ex.handle("n", T0).kind == OVERVIEW and ex.current == 3
    assert ex.handle("p", T0).kind == QUESTION and ex.current == 2
    assert ex.handle("g12", T0).kind == NOTICE and ex.current == 2
    assert ex.handle("2", T0).kind == QUESTION and ex.current == 1
    ex.handle("!", T0)
    assert ex.flagged == [False] * 4
    assert ex.handle("l", T0).kind == OVERVIEW


def test_bad_answer_is_a_notice_and_changes_nothing():
    ex = exam(2)
    step = ex.handle("zz", T0)
    assert step.kind == NOTICE and "not a choice" in step.message and step.changed is None
    assert ex.answers == [None, None] and ex.current == 0


def test_submit_asks_when_questions_are_open_or_flagged():
    ex = exam(2)
    ex.handle("!", T0)
    ask = ex.handle("s", T0)
    assert (ask.kind, ask.message) == (CONFIRM, "2 unanswered and 1 flagged. Submit anyway?")
    assert ex.handle("n", T0).kind == NOTICE
    ex.handle("!", T0)
    ex.handle(letter_for(ex, 0, 1), T0)
    ex.handle(letter_for(ex, 1, 1), T0)
    assert ex.handle("s", T0).kind == SUBMITTED


def test_quit_confirms_then_abandons():
    ex = exam(2)
    assert ex.handle("q", T0).kind == CONFIRM
    assert ex.handle("no", T0).kind == NOTICE
    ex.handle("q", T0)
    assert ex.handle("y", T0).kind == ABANDONED


def test_time_runs_out_when_input_arrives_after_the_deadline():
    ex = exam(2, minutes=10)
    assert format_left(ex.left(T0 + timedelta(seconds=30))) == "9:30"
    ex.handle(letter_for(ex, 0, 1), T0 + timedelta(minutes=9, seconds=59))
    late = ex.handle(letter_for(ex, 1, 1), T0 + timedelta(minutes=10))
    assert late.kind == EXPIRED and "does not count" in late.message
    assert ex.answers == [(1,), None]
    assert format_left(ex.left(T0 + timedelta(hours=1))) == "0:00"


def test_start_and_end_of_input_against_the_deadline():
    ex = exam(2, minutes=10)
    assert ex.start(T0 + timedelta(minutes=5)).kind == QUESTION
    assert ex.start(T0 + timedelta(hours=2)).kind == EXPIRED
    assert ex.end_of_input(T0 + timedelta(minutes=5)).kind == SUBMITTED
    assert ex.end_of_input(T0 + timedelta(minutes=10)).kind == EXPIRED
    ex.handle("s", T0)
    assert ex.handle("y", T0 + timedelta(minutes=11)).kind == EXPIRED


def test_score_per_topic_and_unanswered_count_wrong():
    ex = exam(4)
    ex.answers = [(1,), (0,), None, (1,)]  # q0 a right, q1 b wrong, q2 a unanswered, q3 b right
    result = ex.score()
    assert (result.total, result.answered, result.correct, result.scaled, result.passed) == (4, 3, 2, 550, False)
    assert {t: (s.correct, s.total, s.percent) for t, s in result.per_topic.items()} == {"a": (1, 2, 50.0), "b": (1, 2, 50.0)}
    assert result.missed == (1, 2)


def test_answers_become_exam_reviews_in_the_order_given():
    ex = exam(3)
    ex.answers = [(1,), None, (3,)]
    ex.answered_at = [T0 + timedelta(minutes=5), None, T0 + timedelta(minutes=2)]
    logged = ex.reviews({}, bank="mini", session_id="exam-1")
    assert [(r.item_id, r.kind, r.rating, r.correct, r.answer, r.reviewed_at) for r, _ in logged] == [
        ("q2", "exam", AGAIN, False, (3,), T0 + timedelta(minutes=2)),
        ("q0", "exam", GOOD, True, (1,), T0 + timedelta(minutes=5)),
    ]
    assert all(card.last_review == r.reviewed_at for r, card in logged)


def test_f_means_false_as_in_study_and_the_flag_key_is_no_letter():
    # issue 12: `f` used to flag a true/false question where study reads it as False
    truefalse = Item("tf", "truefalse", "a", "p", ("True", "False"), (1,), "e")
    six = Item("six", "single", "a", "p", tuple("uvwxyz"), (5,), "e")
    ex = Exam((truefalse, six), T0, 10, seed=1)
    assert ex.handle("!", T0).kind == NOTICE and ex.flagged[0] and ex.answers[0] is None
    assert "type t (true) or f (false)" in ex.handle("x", T0).message
    ex.handle("f", T0)
    assert ex.answers[0] == (1,) and ex.current == 1
    ex.handle("f", T0)
    assert ex.answers[1] == (ex.order(1)[5],)
