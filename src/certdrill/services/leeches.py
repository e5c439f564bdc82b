"""`missed --leeches`: drill the leeches, suspended ones too (asking for them by name is the way to work on them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from certdrill.services.drill_setup import DrillInputs, open_drill
from certdrill.services.study import Drill
from certdrill.services.workspace import Warn, cards_for, ignore


def start_leeches(
    bank_paths: Sequence[Path] | None,
    topics: Sequence[str] | None,
    *,
    limit: int | None,
    exam_date: str | None,
    include_unreviewed: bool,
    now: datetime,
    warn: Warn = ignore,
) -> Drill:
    """Every leech of the chosen topics (lapses at `leech-lapses` or more), most lapses first, until each is right once.

    Suspension keeps an item out of study, missed and exam; here it is asked for by what it is, so
    a suspended leech is asked too (it stays suspended: `unsuspend` puts it back in the schedule)."""
    from certdrill.insight.leeches import leeches

    inputs = DrillInputs.load(bank_paths, topics, exam_date, now)
    leech_lapses = inputs.settings.leech_lapses
    with open_drill(inputs, warn=warn) as opened:
        store, config = opened.store, opened.config
        askable = {i.id: i for i in inputs.items if include_unreviewed or i.status == "active"}
        found = [leech for leech in leeches(cards_for(store, config, now, item_ids=list(askable)), leech_lapses, store.suspended())]
        if limit:
            found = found[:limit]
        todo = [askable[leech.item_id] for leech in found]
        cards = cards_for(store, config, now, item_ids=[i.id for i in todo]) if todo else {}
        held = sum(1 for leech in found if leech.suspended)
        heading = f"{len(todo)} leech(es) ({held} suspended, lapses ≥ {leech_lapses}): each comes back until you get it right."
        empty = f"No leeches: no item has lapsed {leech_lapses} times (leech-lapses)."
        return Drill(
            store, inputs.bank, inputs.entries, todo, cards, config, "missed", inputs.day_end, heading, "" if todo else empty, controls=opened.controls
        )
