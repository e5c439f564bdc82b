"""The interactive question loop: shows, reads, grades through the Session, saves through a callback.

Saving happens right after grading and before the feedback is drawn, so every answer shown as
graded is already committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from rich.console import Console

from certdrill.bank.items import Item
from certdrill.drill.grading import AnswerParseError, override_rating, parse_answer, parse_self_rating
from certdrill.drill.session import Outcome, Session
from certdrill.ui import controls, render
from certdrill.ui.prompt import read_line

QUIT = {"q", "quit", "exit"}
UNDO = {"u", "undo"}  # at any prompt: take back the latest answer of this session (see ui/controls.py)


def run_session(
    session: Session,
    console: Console,
    *,
    save: Callable[[Outcome], object],
    save_amend: Callable[[Outcome], None],
    now: Callable[[], datetime],
    status: Callable[[Session], str],
    interactive: bool,
    undo: Callable[[], Outcome | None] | None = None,
) -> str:
    """Ask until the queue is empty ("done"), the learner quits ("quit") or input ends ("eof").

    `save` may return a notice to show after the feedback (a new leech); with `undo`, `u` at a
    prompt takes back the session's latest answer and asks that item again."""
    position = 0
    while (item := session.next_item()) is not None:
        position += 1
        order = session.choice_order(item)
        total = position + session.remaining - 1
        console.print(render.question(item, order, render.header(position, total, item, status(session))))
        started = time.monotonic()
        if item.is_choice:
            chosen = _read_choice(console, item, order, undoable=undo is not None)
            if chosen == "undo" and undo is not None:
                position -= 1 + controls.take_back(console, undo)
                continue
            if chosen is None or chosen == "quit":
                return "eof" if chosen is None else "quit"
            outcome = session.answer(item, now(), chosen=chosen, duration_ms=_ms_since(started))
            notice = save(outcome)
            console.print(render.feedback(item, order, chosen, outcome.correct))
            controls.show_notice(console, notice)
            if interactive:
                keys = "Enter: next · h: was hard · e: was easy · q: stop" if outcome.correct else "Enter: next · q: stop"
                line = read_line(console, f"{keys}{controls.UNDO_KEY if undo else ''} > ")
                if line is None:
                    return "eof"
                if line.lower() in QUIT:
                    return "quit"
                if undo is not None and line.lower() in UNDO:
                    position -= controls.take_back(console, undo)
                    continue
                rating = override_rating(_grade(outcome), line)
                if rating is not None:
                    save_amend(session.amend(outcome, rating))
        else:
            line = read_line(console, "Enter: show the answer · q: stop > ")
            if line is None:
                return "eof"
            if line.lower() in QUIT:
                return "quit"
            if undo is not None and line.lower() in UNDO:
                position -= 1 + controls.take_back(console, undo)
                continue
            console.print(render.feedback(item, order, None, None))
            rating = _read_rating(console)
            if rating is None or rating == "quit":
                return "eof" if rating is None else "quit"
            controls.show_notice(console, save(session.answer(item, now(), rating=rating, duration_ms=_ms_since(started))))
        console.print()
    return "done"


def _grade(outcome: Outcome):
    from certdrill.drill.grading import Grade

    return Grade(bool(outcome.correct), outcome.review.rating)


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _read_choice(console: Console, item: Item, order: tuple[int, ...], *, undoable: bool = False):
    while True:
        line = read_line(console, "Your answer (q: stop) > ")  # `u` works here too (undoable): the prompt stays short
        if line is None:
            return None
        if line.lower() in QUIT:
            return "quit"
        if undoable and line.lower() in UNDO:
            return "undo"
        try:
            positions = parse_answer(item, line, len(order))
        except AnswerParseError as exc:
            console.print(f"  {exc}", style="yellow", markup=False)
            continue
        return tuple(sorted(order[p] for p in positions))


def _read_rating(console: Console):
    while True:
        line = read_line(console, "How well did you know it? 1 again · 2 hard · 3 good · 4 easy (q: stop) > ")
        if line is None:
            return None
        if line.lower() in QUIT:
            return "quit"
        try:
            return parse_self_rating(line)
        except AnswerParseError as exc:
            console.print(f"  {exc}", style="yellow", markup=False)
