"""What every drill (study, missed, leeches, cram) opens before it can choose what to ask."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from certdrill import clock
from certdrill.services.banks import filter_topics, load_banks, topic_entries
from certdrill.services.controls import SessionControls
from certdrill.services.workspace import Warn, catch_up, load_settings_for, open_store, scheduler_config

if TYPE_CHECKING:
    from certdrill.bank.items import Bank, Entry, Item
    from certdrill.config import Settings
    from certdrill.schedule.scheduler import SchedulerConfig
    from certdrill.store.store import Store


@dataclass(frozen=True)
class DrillInputs:
    """The bank, the chosen topics and today's bounds: loaded (and the topics checked) before the
    store is opened, so a bad bank, topic or id is refused with nothing written."""

    settings: Settings
    bank: Bank
    topics: Sequence[str] | None
    entries: list[Item | Entry]  # what a session needs of every chosen item, without reading its text
    day_start: datetime
    day_end: datetime

    @classmethod
    def load(cls, bank_paths: Sequence[Path] | None, topics: Sequence[str] | None, exam_date: str | None, now: datetime) -> DrillInputs:
        settings = load_settings_for(exam_date)
        the_bank = load_banks(bank_paths)
        day_start, day_end = clock.day_bounds(now)
        return cls(settings, the_bank, topics, topic_entries(the_bank, topics), day_start, day_end)

    @property
    def items(self) -> list[Item]:
        """The chosen items whole (their text read): what missed, leeches and cram choose among."""
        return filter_topics(self.bank, self.topics)


@dataclass(frozen=True)
class OpenDrill:
    """The store, brought up to date with the bank, and the scheduler and controls it implies."""

    store: Store
    config: SchedulerConfig
    controls: SessionControls


@contextmanager
def open_drill(inputs: DrillInputs, *, warn: Warn, retention: float | None = None) -> Iterator[OpenDrill]:
    """The store stays open for the drill built inside; it is closed only if building it fails."""
    store = open_store(warn=warn)
    try:
        config = scheduler_config(inputs.settings, retention, store=store)
        catch_up(store, inputs.bank, config)
        yield OpenDrill(store, config, SessionControls.of(store, config, inputs.settings))
    except BaseException:
        store.close()
        raise
