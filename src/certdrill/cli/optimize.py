"""`certdrill optimize`: fit FSRS to your own reviews; keep the fit only if it predicts them better."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated

import typer

from certdrill.cli.common import err_console, errors_to_exit, load_settings, open_store, out_console


@errors_to_exit
def optimize(
    show: Annotated[bool, typer.Option("--show", help="Only show the parameters in use and how well they predicted your reviews.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to the default parameters (every card is replayed).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and compare, but change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as one JSON object.")] = False,
) -> None:
    """Fit FSRS's parameters to your review log, as Anki's Optimize does, and adopt them only if they predict held-out reviews better.

    Held-out: the log in time order is cut into six parts; five times, parameters fitted on the parts so far predict the next part. Scored by log loss and RMSE over bins of predicted recall (lower is better); the fit is adopted when its log loss is lower and its RMSE no higher. Adopted parameters schedule study, missed and exam from then on, and every card is replayed under them. Needs the optimizer: pip install 'certdrill[optimize]'.
    """
    from certdrill import clock
    from certdrill import optimize as core
    from certdrill.cli.study import scheduler_config
    from certdrill.errors import InputError
    from certdrill.scheduler import default_parameters

    if sum((show, reset, dry_run)) > 1:
        raise InputError("--show, --reset and --dry-run go one at a time")
    settings = load_settings()
    store = open_store(writable=not (show or dry_run))
    try:
        config = scheduler_config(settings, store=store)
        stored = store.parameters_record()
        record = core.Record.from_json(stored) if stored else None
        if show:
            _show(record, as_json)
            return
        if reset:
            cards = store.save_parameters_record(None, replay=replace(config, parameters=None))
            _say(as_json, {"parameters": "default", "cards_replayed": cards}, f"Back to the default FSRS parameters; {cards} cards replayed.")
            return
        try:
            fit = _fit(store, config.parameters or default_parameters(), quiet=as_json)
        except core.NotEnoughReviews as exc:
            _say(as_json, {"fitted": False, "reason": str(exc)}, f"Not fitted: {exc}.")
            return
        adopt = fit.better and not dry_run
        if not dry_run:
            after = core.record(fit, clock.now(), adopt=adopt)
            store.save_parameters_record(after.to_json(), replay=replace(config, parameters=fit.fitted) if adopt else None)
        _report(fit, adopt, dry_run, as_json)
    finally:
        store.close()


def _fit(store, current, *, quiet: bool):
    from certdrill import optimize as core

    console = err_console()
    if quiet or not console.is_terminal:
        return core.fit(store.logs_by_item(), current)
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Fitting FSRS to your reviews", total=core.SPLITS + 1)
        return core.fit(store.logs_by_item(), current, step=lambda done, what: progress.update(task, completed=done, description=what))


def _report(fit, adopted: bool, dry_run: bool, as_json: bool) -> None:
    if as_json:
        figures = {
            "reviews": fit.reviews,
            "items": fit.items,
            "in_use": {"parameters": list(fit.current), **fit.current_score.to_json()},
            "fitted": {"parameters": list(fit.fitted), **fit.fitted_score.to_json()},
            "better": fit.better,
            "adopted": adopted,
            "dry_run": dry_run,
        }
        typer.echo(json.dumps(figures, indent=2))
        return
    from rich.table import Table

    console = out_console()
    console.print(f"Fitted to {fit.reviews:,} reviews ({fit.items:,} of them on a later day than the one before).", markup=False)
    table = Table(title="Predicting held-out reviews (lower is better)", box=None, title_justify="left")
    table.add_column("parameters")
    table.add_column("log loss", justify="right")
    table.add_column("RMSE (bins)", justify="right")
    table.add_row("in use", f"{fit.current_score.log_loss:.4f}", f"{fit.current_score.rmse_bins:.4f}")
    table.add_row("fitted", f"{fit.fitted_score.log_loss:.4f}", f"{fit.fitted_score.rmse_bins:.4f}")
    console.print(table)
    if adopted:
        console.print("Adopted the fitted parameters; every card was replayed under them.", markup=False)
    elif fit.better:
        console.print("The fitted parameters predict better; --dry-run kept the ones in use.", markup=False)
    else:
        console.print("Kept the parameters in use: the fitted ones do not predict your held-out reviews better.", markup=False)


def _show(record, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(summary(record), indent=2))
        return
    from certdrill.scheduler import default_parameters

    console = out_console()
    console.print(describe(record), markup=False)
    parameters = record.parameters if record and record.parameters else default_parameters()
    console.print("w = " + ", ".join(f"{w:.4f}" for w in parameters), markup=False, style="dim")


def summary(record) -> dict:
    """The parameters in use and the last fit that judged them, as JSON (also for `stats --json`)."""
    from certdrill.scheduler import default_parameters

    fitted = record is not None and record.parameters is not None
    out = {"source": "fitted" if fitted else "default", "parameters": list(record.parameters if fitted else default_parameters()), "last_fit": None}
    if record is not None:
        out["last_fit"] = {
            "at": record.fitted_at,
            "reviews": record.reviews,
            "adopted": record.adopted,
            "in_use": record.score.to_json(),
            "rival": record.rival.to_json(),
        }
    return out


def describe(record) -> str:
    """One line on the parameters in use and how well they predicted held-out reviews (also for `stats`)."""
    if record is None:
        return "FSRS parameters: the defaults (certdrill optimize fits them to your reviews once you have a few hundred)."
    held = f"log loss {record.score.log_loss:.3f}, RMSE {record.score.rmse_bins:.3f} on held-out reviews"
    day, reviews, rival = record.fitted_at[:10], f"{record.reviews:,}", f"{record.rival.log_loss:.3f}"
    if record.parameters is None:
        return f"FSRS parameters: the defaults; {held} (a fit to {reviews} reviews on {day} did not beat them: log loss {rival})."
    if record.adopted:
        return f"FSRS parameters: fitted to {reviews} reviews on {day}; {held} (the ones before: log loss {rival})."
    return f"FSRS parameters: fitted earlier; {held} (a new fit to {reviews} reviews on {day} did not beat them: log loss {rival})."


def _say(as_json: bool, data: dict, text: str) -> None:
    if as_json:
        typer.echo(json.dumps(data, indent=2))
    else:
        out_console().print(text, markup=False)
