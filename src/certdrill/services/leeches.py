"""`missed --leeches`: drill the leeches, suspended ones too (asking for them by name is the way to work on them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from certdrill import clock
from certdrill.services.banks import filter_topics, load_banks
from certdrill.services.controls import SessionControls
from certdrill.services.study import Drill
from certdrill.services.workspace import Warn, cards_for, catch_up, ignore, load_settings_for, open_store, scheduler_config


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

    settings = load_settings_for(exam_date)
    the_bank = load_banks(bank_paths)
    items = filter_topics(the_bank, topics)
    _, day_end = clock.day_bounds(now)
    store = open_store(warn=warn)
    try:
        config = scheduler_config(settings, store=store)
        catch_up(store, the_bank, config)
        askable = {i.id: i for i in items if include_unreviewed or i.status == "active"}
        found = [leech for leech in leeches(cards_for(store, config, now, item_ids=list(askable)), settings.leech_lapses, store.suspended())]
        if limit:
            found = found[:limit]
        todo = [askable[leech.item_id] for leech in found]
        cards = cards_for(store, config, now, item_ids=[i.id for i in todo]) if todo else {}
        held = sum(1 for leech in found if leech.suspended)
        heading = f"{len(todo)} leech(es) ({held} suspended, lapses ≥ {settings.leech_lapses}): each comes back until you get it right."
        empty = f"No leeches: no item has lapsed {settings.leech_lapses} times (leech-lapses)."
        controls = SessionControls.of(store, config, settings)
        return Drill(store, the_bank, items, todo, cards, config, "missed", day_end, heading, "" if todo else empty, controls=controls)
    except BaseException:
        store.close()
        raise
