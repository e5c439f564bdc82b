"""`cram`: practise items that are not due, most at risk first; the answers are scheduled like any (kind `cram`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from certdrill.services.controls import unsuspended
from certdrill.services.drill_setup import DrillInputs, open_drill
from certdrill.services.study import Drill
from certdrill.services.workspace import Warn, cards_for, ignore


def start_cram(
    bank_paths: Sequence[Path] | None,
    topics: Sequence[str] | None,
    *,
    count: int,
    due_within: float | None,
    weakest: bool,
    exam_date: str | None,
    include_unreviewed: bool,
    now: datetime,
    warn: Warn = ignore,
) -> Drill:
    """Items answered before and not due today (not suspended), lowest predicted recall first (or
    lowest stability with `weakest`), at most `count`; each wrong one comes back, as in study.

    Each answer is a review FSRS takes at its real time: early, so recall is still high and the
    stability gain small, and the next due date moves on from it (benchmarks/cram.py: later
    retention as without cramming, fewer reviews after the exam)."""
    from certdrill.drill.cram import cram_items
    from certdrill.schedule.scheduler import retrievability

    inputs = DrillInputs.load(bank_paths, topics, exam_date, now)
    with open_drill(inputs, warn=warn) as opened:
        store, config = opened.store, opened.config
        askable = unsuspended(store, [i for i in inputs.items if include_unreviewed or i.status == "active"])
        cards = cards_for(store, config, now, item_ids=[i.id for i in askable])
        todo = cram_items(
            askable, cards, day_end=inputs.day_end, recall=lambda c: retrievability(c, now, config), count=count, due_within=due_within, weakest=weakest
        )
        order = "lowest stability first" if weakest else "lowest predicted recall first"
        within = f", due within {due_within:g} days" if due_within is not None else ""
        heading = f"Cram: {len(todo)} item(s) not due yet{within}, {order}; answers are scheduled as early reviews."
        empty = f"Nothing to cram: no item answered before is waiting for a later day{within} (certdrill study introduces new ones)."
        todo_cards = {i.id: cards[i.id] for i in todo}
        learn_ahead = timedelta(minutes=inputs.settings.learn_ahead)  # a wrong answer's relearning step comes back as in study (Rules)
        return Drill(
            store,
            inputs.bank,
            inputs.entries,
            todo,
            todo_cards,
            config,
            "cram",
            inputs.day_end,
            heading,
            "" if todo else empty,
            learn_ahead=learn_ahead,
            controls=opened.controls,
        )
