"""`u` in the study session's state machine (drill/undo.py): an undone answer leaves the session
exactly as it was before it, every queue included; a new leech leaves every queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certdrill.bank.items import Item
from certdrill.drill.session import AFTER, DONE, QUESTION, REVEAL, Rules, Session, Step
from certdrill.drill.undo import NOTHING_TO_UNDO, UndoableSession
from certdrill.schedule.scheduler import AGAIN, CardState, review

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
PIPED = Rules(pause_after_answer=False)
STATE = ("todo", "waiting", "asks", "numbers", "parked", "tally", "shown", "phase")


def tf(n: int) -> Item:
    return Item(f"tf{n}", "truefalse", "t", f"statement {n}", ("True", "False"), (0,), "e")


def card(n: int) -> Item:
    return Item(f"c{n}", "flashcard", "t", f"front {n}", (), (), "e", back=f"back {n}")


def state(session: Session) -> dict:
    last = session.last
    assert last is not None
    return {name: getattr(session, name) for name in STATE} | {"last": (last.review.item_id, last.review.rating, last.card, last.prior, last.correct)}


def answer(session: Session, step: Step, right: bool, now: datetime) -> Step:
    assert step.question is not None
    return session.handle("t" if right else "f", now)


def test_undo_puts_back_every_queue_the_learning_steps_included():
    """Two answers in (a miss waiting, a new item in its learning step), the third undone: the
    session equals, field by field, one that was never given the third answer."""
    items = [tf(0), tf(1), tf(2), tf(3)]
    undone, kept = UndoableSession(items, {}, bank="b", rules=PIPED), UndoableSession(items, {}, bank="b", rules=PIPED)
    steps = {}
    for name, session in (("undone", undone), ("kept", kept)):
        step = session.start(T0)
        step = answer(session, step, False, T0)  # tf0 wrong: waiting (relearning)
        step = answer(session, step, True, T0 + timedelta(seconds=5))  # tf1 right: in fsrs's learning step, waiting
        steps[name] = step
    before = state(kept)
    assert set(undone.waiting) == {"tf0", "tf1"}  # the learning-step queue is not empty
    after = answer(undone, steps["undone"], True, T0 + timedelta(seconds=9))  # tf2
    assert after.save is not None and "tf2" in undone.waiting and undone.tally.answered == 3
    back = undone.handle("u", T0 + timedelta(seconds=12))
    assert back.undone == after.save and back.kind == QUESTION and back.question == steps["undone"].question
    assert state(undone) == before
    assert "tf2" not in undone.cards  # the card the answer started from: none, a new item
    assert back.save is None and back.verdict is None


def test_undo_twice_goes_back_to_the_start_then_says_there_is_nothing():
    session = UndoableSession([tf(0), tf(1)], {}, bank="b")
    first = session.start(T0)
    step = session.handle("f", T0)
    assert step.kind == AFTER
    session.handle("", T0)
    step = session.handle("u", T0)  # at the next question: the answer just given
    assert step.undone is not None and step.undone.review.item_id == "tf0" and step.question == first.question
    nothing = session.handle("undo", T0)
    assert nothing.undone is None and nothing.message == NOTHING_TO_UNDO and nothing.kind == QUESTION
    assert session.handle("t", T0).save is not None  # and the session goes on


def test_undo_of_a_flashcard_shows_its_front_again():
    session = UndoableSession([card(0), card(1)], {}, bank="b", rules=PIPED)
    front = session.start(T0)
    session.handle("", T0)  # the back
    rated = session.handle("3", T0)
    assert rated.save is not None
    step = session.handle("u", T0)
    assert step.kind == REVEAL and step.question == front.question and step.undone == rated.save


def test_u_is_never_an_answer_and_the_hard_easy_marks_still_are():
    """`u` takes back; `t?` / `t!` (Hard / Easy, piped) still answer; `u?` is not an answer."""
    session = UndoableSession([tf(0), tf(1)], {}, bank="b", rules=PIPED)
    session.start(T0)
    marked = session.handle("t!", T0)
    assert marked.save is not None and marked.save.review.rating == 4
    assert session.handle("u?", T0).message  # not an answer, not an undo: read again
    assert session.handle("u", T0).undone == marked.save


def test_a_new_leech_leaves_every_queue_even_the_question_drawn_next():
    """Piped, with one item left, a miss would be asked again at once; a miss that makes a leech
    (Rules.leech_lapses) ends the item's session instead."""
    item = tf(0)
    learned = review(review(None, 3, T0 - timedelta(days=30), "r0"), 3, T0 - timedelta(days=28), "r1")
    lapsed = review(review(learned, AGAIN, T0 - timedelta(days=20), "r2"), 3, T0 - timedelta(days=19), "r3")
    assert lapsed.lapses == 1 and lapsed.state == learned.state
    cards: dict[str, CardState] = {item.id: lapsed}
    plain = Session([item], dict(cards), bank="b", rules=PIPED)
    plain.start(T0)
    assert plain.handle("f", T0).question is not None  # without the rule: asked again
    leech = Session([item], dict(cards), bank="b", rules=Rules(pause_after_answer=False, leech_lapses=2))
    leech.start(T0)
    step = leech.handle("f", T0)
    assert step.save is not None and step.save.card.lapses == 2
    assert step.kind == DONE and not leech.waiting and not leech.parked and not leech.todo


def test_drop_takes_an_item_out_of_every_queue():
    session = Session([tf(0), tf(1), tf(2)], {}, bank="b", rules=PIPED)
    step = session.start(T0)
    step = answer(session, step, False, T0)  # tf0 waiting
    session.parked.append("tf2")
    for item_id in ("tf0", "tf1", "tf2"):
        session.drop(item_id)
    assert not session.waiting and not session.parked and list(session.todo) == []
