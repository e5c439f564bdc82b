"""`certdrill item ID`: one item, its card and its whole history."""

from __future__ import annotations

from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, out_console
from certdrill.cli.options import BankPaths


@errors_to_exit
def item(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="The item's id (certdrill bank list shows them).", show_default=False)],
    bank: BankPaths = None,
    as_json: Annotated[bool, typer.Option("--json", help="Everything as one JSON object.")] = False,
) -> None:
    """One item: the question, its card (state, due, stability, difficulty, predicted recall now, lapses), leech and suspended flags, every answer ever given to it (undone ones marked) and its references.

    Examples:
        certdrill item ecr-auth-token-expired
        certdrill item ecr-auth-token-expired --json
    """
    from certdrill import clock
    from certdrill.services.item import item_report

    report = item_report(bank, item_id, now=clock.now())
    if as_json:
        from certdrill.text import inert_json

        typer.echo(inert_json(report.to_json(), indent=1))
        return
    from certdrill.ui.item import show_item

    show_item(out_console(), report)


def register(app: typer.Typer) -> None:
    app.command()(item)
