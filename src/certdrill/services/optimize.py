"""`optimize`: fit FSRS to the learner's log and keep the fit only if it predicts held-out reviews better."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from certdrill.errors import InputError
from certdrill.services.workspace import Warn, ignore, load_settings, open_store, optimizer_record, scheduler_config

if TYPE_CHECKING:
    from certdrill.insight.optimize import Fit, ParametersInUse


@dataclass(frozen=True)
class Optimized:
    """What `optimize` did: exactly one of `cards_reset` (--reset), `in_use` (--show),
    `not_fitted` (the reason no fit was made) and `fit` is set."""

    cards_reset: int | None = None
    in_use: ParametersInUse | None = None
    not_fitted: str | None = None
    fit: Fit | None = None
    adopted: bool = False  # the fit was adopted (never on a dry run)


def run_optimize(*, show: bool, reset: bool, dry_run: bool, now: datetime, step: Callable[[int, str], None] | None = None, warn: Warn = ignore) -> Optimized:
    """Fit, compare and (unless `dry_run`) keep the record; `show` only reads it; `reset` goes back to fsrs's defaults."""
    from certdrill.insight import optimize as core

    if sum((show, reset, dry_run)) > 1:
        raise InputError("--show, --reset and --dry-run go one at a time")
    settings = load_settings()
    store = open_store(writable=not (show or dry_run), warn=warn)
    try:
        if reset:  # before reading the stored record: --reset is the way out of a damaged one
            return Optimized(cards_reset=store.set_optimizer_record(None, scheduler_config(settings)))
        previous = optimizer_record(store)
        config = scheduler_config(settings, store=store)
        if show:
            return Optimized(in_use=core.ParametersInUse.of(previous))
        try:
            fit = core.fit(store.logs_by_item(), config.parameters, **({"step": step} if step is not None else {}))
        except core.NotEnoughReviews as exc:
            return Optimized(not_fitted=exc.message)
        adopt = fit.adopted and not dry_run
        if not dry_run:
            kept = core.record(fit, now, adopt=adopt, previous=previous)
            store.set_optimizer_record(kept.to_json(), replace(config, parameters=fit.fitted) if adopt else None)
        return Optimized(fit=fit, adopted=adopt)
    finally:
        store.close()
