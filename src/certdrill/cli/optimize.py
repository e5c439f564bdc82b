"""`certdrill optimize`: fit FSRS parameters to your own reviews; keep them only if they predict better."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Annotated

import typer

from certdrill.cli.common import err_console, errors_to_exit, load_settings, open_store, out_console


@errors_to_exit
def optimize(
    show: Annotated[bool, typer.Option("--show", help="Only show the parameters in use and how well they predicted your reviews.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to fsrs's default parameters (every card is rescheduled).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and compare, but change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as one JSON object.")] = False,
) -> None:
    """Fit FSRS to your review log, as Anki's Optimize does; adopt the fit only if it predicts held-out reviews better.

    The fit is fsrs-rs, the Rust FSRS inside Anki (the optimize extra: pip install 'certdrill\\[optimize]'). Both the parameters in use and the fitted ones are scored on later reviews they were not fitted to (a time-series split, 5 folds): the fit is adopted only with a lower log loss and an RMSE(bins) no worse. Adopted parameters drive study, missed and exam from then on; stats shows which are in use.
    """
    from certdrill import clock
    from certdrill.cli.study import scheduler_config
    from certdrill.errors import InputError
    from certdrill.insight import optimize as core

    if sum((show, reset, dry_run)) > 1:
        raise InputError("--show, --reset and --dry-run go one at a time")
    settings = load_settings()
    store = open_store(writable=not (show or dry_run))
    try:
        if reset:  # before reading the stored record: --reset is the way out of a damaged one
            cards = store.set_parameters(None, scheduler_config(settings))
            _say(as_json, {"parameters": "default", "cards_rescheduled": cards}, f"Back to fsrs's default parameters; {cards} cards rescheduled.")
            return
        stored = store.parameters()
        previous = core.Record.from_json(stored) if stored else None
        config = scheduler_config(settings, store=store)
        if show:
            _show(previous, as_json)
            return
        try:
            fit = _fit(store, config.parameters, quiet=as_json)
        except core.NotEnoughReviews as exc:
            _say(as_json, {"fitted": False, "reason": exc.message}, f"Not fitted: {exc.message}.")
            return
        adopt = fit.adopted and not dry_run
        if not dry_run:
            kept = core.record(fit, clock.now(), adopt=adopt, previous=previous)
            store.set_parameters(kept.to_json(), replace(config, parameters=fit.fitted) if adopt else None)
        _report(fit, adopt, dry_run, as_json)
    finally:
        store.close()


def _fit(store, current, *, quiet: bool):
    from certdrill.insight import optimize as core

    console = err_console()
    if quiet or not console.is_terminal:
        return core.fit(store.logs_by_item(), current)
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Fitting FSRS to your reviews", total=core.SPLITS + 1)

        def step(done: int, what: str) -> None:
            progress.update(task, completed=done, description=what)

        fit = core.fit(store.logs_by_item(), current, step=step)
        progress.update(task, completed=core.SPLITS + 1)
        return fit


def _report(fit, adopted: bool, dry_run: bool, as_json: bool) -> None:
    if as_json:
        figures = {
            "reviews": fit.reviews,
            "items": fit.items,
            "in_use": {"parameters": list(fit.current), **asdict(fit.current_score)},
            "fitted": {"parameters": list(fit.fitted), **asdict(fit.fitted_score)},
            "better": fit.adopted,
            "adopted": adopted,
            "dry_run": dry_run,
        }
        typer.echo(json.dumps(figures, indent=2))
        return
    from rich.table import Table

    console = out_console()
    from certdrill.insight.optimize import MAX_TRAINING_ITEMS

    recent = "the most recent " if fit.items >= MAX_TRAINING_ITEMS else ""
    console.print(f"Fitted to {fit.reviews:,} reviews (trained on {recent}{fit.items:,} that came a day or more after the one before).", markup=False)
    table = Table(title="Predicting held-out reviews (time-series split; lower is better)", box=None, title_justify="left")
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE (bins)", justify="right")
    table.add_row("in use", f"{fit.current_score.log_loss:.4f}", f"{fit.current_score.rmse_bins:.4f}")
    table.add_row("fitted", f"{fit.fitted_score.log_loss:.4f}", f"{fit.fitted_score.rmse_bins:.4f}")
    console.print(table)
    if adopted:
        console.print("Adopted the fitted parameters; every card was rescheduled from your log.", markup=False)
    elif fit.adopted:
        console.print("The fitted parameters predict better; --dry-run kept the ones in use.", markup=False)
    else:
        console.print("Kept the parameters in use: the fitted ones do not predict your held-out reviews better.", markup=False)


def parameters_summary(record) -> dict:
    """Which parameters are in use and, once `optimize` has run, how well they predicted (for stats)."""
    from certdrill.schedule.scheduler import default_parameters

    fitted = record is not None and record.fitted
    summary = {"source": "fitted" if fitted else "default", "parameters": list(record.parameters if fitted else default_parameters())}
    if record is not None:
        summary["checked"] = {"at": record.checked_at, "reviews": record.reviews, "held_out": asdict(record.score), "other_candidate": asdict(record.rival)}
    return summary


def summary_line(summary: dict) -> str:
    source = "fitted to your reviews" if summary["source"] == "fitted" else "fsrs's defaults"
    checked = summary.get("checked")
    if checked is None:
        return f"FSRS parameters: {source} (run certdrill optimize once you have a few hundred reviews)."
    score = checked["held_out"]
    return (
        f"FSRS parameters: {source}; on held-out reviews at the last check ({checked['at'][:10]}, {checked['reviews']:,} reviews): "
        f"log loss {score['log_loss']:.4f}, RMSE(bins) {score['rmse_bins']:.4f}."
    )


def _show(record, as_json: bool) -> None:
    summary = parameters_summary(record)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console = out_console()
    console.print(summary_line(summary), markup=False, soft_wrap=True)
    console.print("w = " + ", ".join(f"{w:.4f}" for w in summary["parameters"]), markup=False, style="dim", soft_wrap=True)


def _say(as_json: bool, data: dict, text: str) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        out_console().print(text, markup=False)
