"""What a command works in: the settings, the progress store and the scheduler configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from certdrill import paths

if TYPE_CHECKING:
    from certdrill.bank.items import Bank
    from certdrill.config import Settings
    from certdrill.errors import CertdrillError
    from certdrill.insight.optimize import Record
    from certdrill.schedule.scheduler import CardState, SchedulerConfig
    from certdrill.store.store import Store

Warn = Callable[[str], None]


def ignore(message: str) -> None:
    """A `warn` that drops the line (tests, benchmarks)."""


def load_settings() -> Settings:
    from certdrill import config

    return config.load(paths.config_path())


def load_settings_for(exam_date: str | None) -> Settings:
    """The settings file, with --exam-date (if given) in place of the configured exam date."""
    from certdrill.config import parse_value

    settings = load_settings()
    if exam_date is None:
        return settings
    day = parse_value("exam-date", exam_date)
    assert day is None or isinstance(day, date)
    return replace(settings, exam_date=day)


def tidy_home() -> None:
    """Remove what killed commands left in the data dir and its backups: temporary exports and
    settings, a first import's scratch store, a half-made backup and its journal (whose process is gone)."""
    from certdrill.files import remove_orphans

    home = paths.home_dir()
    for folder in (home, home / "backups", paths.cache_dir()):
        remove_orphans(folder)


def diagnose_store() -> CertdrillError | None:
    """After a command failed on a value it could not compute with: the damaged cell of the store
    that explains it (as the "damaged, here is how to restore" error), or None (then it is a bug)."""
    from certdrill.store.cells import bad_cell_in
    from certdrill.store.db import damaged

    path = paths.db_path()
    found = bad_cell_in(path) if path.is_file() else None
    return damaged(path, f"{found}, which no command can use") if found else None


def open_store(*, writable: bool = True, warn: Warn = ignore) -> Store:
    """The progress store; for writing, after the day's first automatic backup (a failed backup
    only warns), and checked up front so that a read-only home fails before the first question."""
    from certdrill.store.store import Store

    tidy_home()
    if not writable:
        return Store.open(paths.db_path(), read_only=True)
    store = Store.open(paths.db_path())
    try:
        store.check_writable()
        _daily_backup(store, warn)
    except BaseException:
        store.close()
        raise
    return store


def _daily_backup(store: Store, warn: Warn) -> None:
    from certdrill import clock
    from certdrill.errors import DamagedStoreError, StoreError
    from certdrill.store import backup

    try:
        with store.reading() as conn:
            backup.daily_backup(conn, store.path, clock.now())
    except DamagedStoreError:
        raise
    except StoreError as exc:
        warn(f"Warning: today's automatic backup failed ({exc}); your progress is still saved.")


def scheduler_config(settings: Settings, retention: float | None = None, *, store: Store | None = None) -> SchedulerConfig:
    """Settings, this run's flags and, from `store`, the FSRS parameters `certdrill optimize` adopted.

    The exam date means the start of that local day: reviews land on the days before it.
    """
    from certdrill.clock import local_midnight
    from certdrill.schedule.scheduler import SchedulerConfig

    exam = local_midnight(settings.exam_date) if settings.exam_date else None
    return SchedulerConfig(desired_retention=retention or settings.desired_retention, parameters=fitted_parameters(store), exam_date=exam)


def fitted_parameters(store: Store | None) -> tuple[float, ...] | None:
    """The adopted parameters, or None (fsrs's own defaults, whatever its version) without a fit."""
    record = optimizer_record(store) if store is not None else None
    return record.parameters if record is not None and record.fitted else None


def optimizer_record(store: Store) -> Record | None:
    """What `certdrill optimize` last kept (an `insight.optimize.Record`), or None."""
    stored = store.optimizer_record()
    if stored is None:
        return None
    from certdrill.insight.optimize import Record

    return Record.from_json(stored)


def cards_for(
    store: Store, config: SchedulerConfig, now: datetime, *, due_before: datetime | None = None, item_ids: Iterable[str] | None = None
) -> dict[str, CardState]:
    """The stored cards (or those of `item_ids`), with due dates capped by an exam date set after their last review.

    With `due_before`, only the cards due before it: read through the due index when no capped
    due date can land that early, so a big collection is not read whole.
    """
    from certdrill.schedule.scheduler import earliest_capped_due, under_exam_date

    floor = earliest_capped_due(config)
    indexed = due_before is not None and (floor is None or due_before <= floor or (config.exam_date is not None and now >= config.exam_date))
    stored = store.cards(due_before=due_before if indexed else None, item_ids=item_ids)
    if config.exam_date is None:
        return stored  # nothing to cap: 50,000 cards are not copied for nothing
    cards = {item_id: under_exam_date(card, config, now) for item_id, card in stored.items()}
    if due_before is None or indexed:
        return cards
    return {item_id: card for item_id, card in cards.items() if card.due < due_before}


def catch_up(store: Store, bank: Bank, config: SchedulerConfig) -> None:
    """Bring the store up to date before a session: carry the history of renamed items
    (`previous_ids`) over to their new ids, and count the mature recalls of cards kept before
    certdrill counted them (each once; after that, nothing to do); cards cached under older
    scheduling rules are replayed once."""
    from certdrill.schedule.scheduler import RULES

    store.adopt_rules(RULES, config)
    renames = {old: entry.id for entry in bank.entries for old in entry.previous_ids}
    if renames:
        store.apply_renames(renames, config)
    store.fill_mature_counts(config)
