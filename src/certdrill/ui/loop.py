"""The study loop on screen: it shows a Step, reads a line, hands it to the pure Session with the time
it arrived, and saves what the Step says to save before drawing anything, so every answer shown
as graded is already committed (and an answer taken back with `u` has left the log before its
question is shown again). Ctrl-C propagates (the command exits 130)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from rich.console import Console

from certdrill.drill.session import AFTER, FINAL, QUESTION, RATE, REVEAL, Outcome, Session, Step
from certdrill.ui import controls, render
from certdrill.ui.prompt import read_line

PROMPTS = {
    QUESTION: "Your answer (q: stop) > ",  # `u` works here too (with undo): the prompt stays short
    REVEAL: "Enter: show the answer · q: stop > ",
    RATE: "How well did you know it? 1 again · 2 hard · 3 good · 4 easy (q: stop) > ",
}
AFTER_RIGHT = "Enter: next · h: was hard · e: was easy · q: stop"
AFTER_WRONG = "Enter: next · q: stop"


def run_session(
    session: Session,
    console: Console,
    *,
    save: Callable[[Outcome], object],
    save_amend: Callable[[Outcome], None],
    now: Callable[[], datetime],
    status: Callable[[], str] = lambda: "",
    undo: Callable[[Outcome], None] | None = None,
) -> Step:
    """Until nothing is left (DONE), the learner quits (QUIT) or input ends (EOF).

    `save` may return a notice to show after the verdict (a new leech); `undo` logs an answer the
    session took back (`u`, drill/undo.py) before its question is drawn again."""
    step = session.start(now())
    shown_at = time.monotonic()
    while True:
        notice = None
        if step.save is not None:
            notice = save(step.save)
        if step.amend is not None:
            save_amend(step.amend)
        if step.undone is not None:
            assert undo is not None, "an undoable session needs its undo saved"
            undo(step.undone)
        if _draw(console, step, status, notice):
            shown_at = time.monotonic()
        if step.kind in FINAL:
            return step
        line = read_line(console, _prompt(session, step, undoable=undo is not None), interruptible=True)
        step = session.end_of_input() if line is None else session.handle(line, now(), duration_ms=int((time.monotonic() - shown_at) * 1000))


def _draw(console: Console, step: Step, status: Callable[[], str], notice: object) -> bool:
    """The step on screen; True when it showed a new question."""
    if step.message:
        console.print(f"  {step.message}", style="yellow", markup=False)
    if step.verdict is not None:
        verdict = step.verdict
        console.print(render.feedback(verdict.item, verdict.order, verdict.chosen, verdict.correct))
        console.print(render.item_ref(verdict.item))
    controls.show_notice(console, notice)
    if step.undone is not None:
        controls.took_back(console, step.undone)
    if step.question is not None:
        shown = step.question
        console.print()
        console.print(render.question(shown.item, shown.order, render.header(shown.progress, status())))
        return True
    return False


def _prompt(session: Session, step: Step, *, undoable: bool) -> str:
    if step.kind == AFTER:
        keys = AFTER_RIGHT if session.last is not None and session.last.correct else AFTER_WRONG
        return f"{keys}{controls.UNDO_KEY if undoable else ''} > "
    return PROMPTS[step.kind]
