"""`certdrill optimize`: fit FSRS parameters to your own reviews; keep them only if they predict better."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer

from certdrill.cli.common import err_console, err_line, errors_to_exit, out_console
from certdrill.text import inert_json

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from certdrill.insight.optimize import Fit, ParametersInUse


@errors_to_exit
def optimize(
    show: Annotated[bool, typer.Option("--show", help="Only show the parameters in use and how well they predicted your reviews.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to fsrs's default parameters (every card is rescheduled).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and compare, but change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="The figures as one JSON object.")] = False,
) -> None:
    """Fit FSRS to your review log, as Anki's Optimize does; adopt the fit only if it predicts held-out reviews better.

    The fit is fsrs-rs, the Rust FSRS inside Anki (the optimize extra: pip install 'certdrill\\[optimize]'). Both the parameters in use and the fitted ones are scored on later reviews they were not fitted to (a time-series split, 5 folds): the fit is adopted only with a lower log loss and an RMSE(bins) no worse. Adopted parameters drive study, missed and exam from then on; stats shows which are in use.

    Examples:
        certdrill optimize --dry-run
        certdrill optimize
        certdrill optimize --show --json
    """
    from certdrill import clock
    from certdrill.insight.optimize import SPLITS
    from certdrill.services.optimize import run_optimize
    from certdrill.ui.activity import steps

    quiet = as_json or show or reset
    with steps(err_console(), "Fitting FSRS to your reviews", SPLITS + 1) if not quiet else _no_steps() as step:
        done = run_optimize(show=show, reset=reset, dry_run=dry_run, now=clock.now(), step=step, warn=err_line)
    if done.cards_reset is not None:
        cards = done.cards_reset
        _say(as_json, {"parameters": "default", "cards_rescheduled": cards}, f"Back to fsrs's default parameters; {cards} cards rescheduled.")
    elif done.in_use is not None:
        _show(done.in_use, as_json)
    elif done.not_fitted is not None:
        _say(as_json, {"fitted": False, "reason": done.not_fitted}, f"Not fitted: {done.not_fitted}.")
    elif done.fit is not None:
        _report(done.fit, done.adopted, dry_run, as_json)


def _no_steps() -> AbstractContextManager[None]:
    from contextlib import nullcontext

    return nullcontext(None)


def _report(fit: Fit, adopted: bool, dry_run: bool, as_json: bool) -> None:
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
        typer.echo(inert_json(figures, indent=2))
        return
    from rich.table import Table

    from certdrill.insight.optimize import MAX_TRAINING_ITEMS

    console = out_console()
    which = f"a sample of whole card histories: {fit.items:,} of the reviews" if fit.sampled else f"{fit.items:,}"
    past = f" (more than {MAX_TRAINING_ITEMS:,} did)" if fit.sampled else ""
    console.print(f"Fitted to {fit.reviews:,} reviews (trained on {which} that came a day or more after the one before{past}).", markup=False)
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


def _show(in_use: ParametersInUse, as_json: bool) -> None:
    if as_json:
        typer.echo(inert_json(in_use.to_json(), indent=2))
        return
    from certdrill.ui.stats import parameters_line

    console = out_console()
    console.print(parameters_line(in_use), markup=False, soft_wrap=True)
    console.print("w = " + ", ".join(f"{w:.4f}" for w in in_use.parameters), markup=False, style="dim", soft_wrap=True)


def _say(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        typer.echo(inert_json(data, indent=2))
    else:
        out_console().print(text, markup=False)
