"""`certdrill undo`, `certdrill suspend`, `certdrill unsuspend`: the learner's say over the log and the items."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import err_line, errors_to_exit, out_console
from certdrill.cli.options import BankPaths, Topics
from certdrill.text import inert_json

Json = Annotated[bool, typer.Option("--json", help="The result as one JSON object.")]
Ids = Annotated[list[str] | None, typer.Argument(help="Item ids (certdrill bank list shows them).", show_default=False)]


@errors_to_exit
def undo(as_json: Json = False) -> None:
    """Take back the latest answer you gave (study, missed or cram), whenever it was: its card is
    rebuilt from the log without it, and the undo is logged, so no import brings it back.

    In a session, u at the next prompt does the same for the answer just given. Mock-exam answers
    are changed before you submit the exam instead.

    Examples:
        certdrill undo
        certdrill undo --json
    """
    from certdrill import clock
    from certdrill.services.controls import undo_last

    result = undo_last(now=clock.now(), warn=err_line)
    if as_json:
        typer.echo(inert_json(result.to_json(), indent=1))
        return
    from certdrill.ui.controls import undone

    undone(out_console(), result)


def _set(ids: list[str] | None, topic: list[str] | None, bank: list | None, as_json: bool, *, suspended: bool) -> None:
    from certdrill import clock
    from certdrill.services.controls import set_suspended

    change = set_suspended(bank, ids or [], topic, suspended=suspended, now=clock.now(), warn=err_line)
    if as_json:
        typer.echo(inert_json(change.to_json(), indent=1))
        return
    from certdrill.ui.controls import suspend_change

    suspend_change(out_console(), change)


@errors_to_exit
def suspend(ids: Ids = None, topic: Topics = None, bank: BankPaths = None, as_json: Json = False) -> None:
    """Never ask these items (study, missed, cram and exam skip them) until unsuspended.

    Examples:
        certdrill suspend ecr-login
        certdrill suspend --topic networking
    """
    _set(ids, topic, bank, as_json, suspended=True)


@errors_to_exit
def unsuspend(ids: Ids = None, topic: Topics = None, bank: BankPaths = None, as_json: Json = False) -> None:
    """Ask these items again; their schedule is as the log left it.

    Examples:
        certdrill unsuspend ecr-login
        certdrill unsuspend --topic networking
    """
    _set(ids, topic, bank, as_json, suspended=False)


def register(app: typer.Typer) -> None:
    app.command()(undo)
    app.command()(suspend)
    app.command()(unsuspend)
