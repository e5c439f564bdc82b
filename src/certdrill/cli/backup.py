"""`certdrill backup list|now|restore`: the copies of the progress database."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from certdrill.cli.common import errors_to_exit, out_console
from certdrill.text import inert_json

if TYPE_CHECKING:
    from certdrill.services.backups import BackupInfo

app = typer.Typer(
    help="List, make and restore backups of your progress.\n\nExamples:\ncertdrill backup list\ncertdrill backup now\ncertdrill backup restore progress-2026-11-23.sqlite3",
    no_args_is_help=True,
)


@app.command("list")
@errors_to_exit
def list_(as_json: Annotated[bool, typer.Option("--json", help="A JSON array, newest first.")] = False) -> None:
    """Every backup, newest first, with how many answers it holds.

    Examples:
        certdrill backup list
        certdrill backup list --json
    """
    from certdrill.services.backups import list_backups

    found = list_backups()
    if as_json:
        typer.echo(inert_json([_as_json(i) for i in found.infos], indent=1))
        return
    console = out_console()
    if not found.infos:
        console.print(f"No backups yet in {found.folder}.", markup=False)
        return
    from rich.table import Table

    table = Table(title=f"Backups in {found.folder}", title_justify="left", show_edge=False, box=None, pad_edge=False)
    # names and counts never wrap nor shrink (a count cut to one digit misleads); the last-answer
    # column, or why a copy is unreadable, wraps instead on a narrow terminal
    table.add_column("name", no_wrap=True)
    table.add_column("answers", justify="right", no_wrap=True, min_width=max(len("answers"), *(len(str(i.reviews)) for i in found.infos)))
    table.add_column("last answer", overflow="fold")
    table.add_column("size", justify="right", no_wrap=True)
    for i in found.infos:
        answers, last = (str(i.reviews), _when(i.last_review)) if i.reviews is not None else ("-", f"unreadable: {i.problem}")
        table.add_row(i.path.name, answers, last, f"{i.size / 1024:,.0f} KiB")
    console.print(table)
    console.print("Restore one with: certdrill backup restore NAME", style="dim", markup=False)


@app.command("now")
@errors_to_exit
def now() -> None:
    """Make a backup now (kept until you delete it).

    Examples:
        certdrill backup now
    """
    from certdrill import clock
    from certdrill.services.backups import backup_now

    target = backup_now(clock.now())
    out_console().print(f"Backed up to {target}", markup=False, soft_wrap=True)


@app.command("restore")
@errors_to_exit
def restore(
    name: Annotated[str, typer.Argument(help="A name from `certdrill backup list`, or a path to a backup file.")],
) -> None:
    """Put a backup back in place; the current database is kept in backups/, never deleted.

    Examples:
        certdrill backup list
        certdrill backup restore progress-2026-11-23.sqlite3
    """
    from certdrill import clock
    from certdrill.services import backups

    done = backups.restore(name, clock.now())
    console = out_console()
    console.print(f"Restored {done.source.name}: {done.now.reviews} answers, the last on {_when(done.now.last_review)}.", markup=False, soft_wrap=True)
    if done.aside is not None:
        console.print(f"The database it replaced is kept as {done.aside}", markup=False, soft_wrap=True)


def _when(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _as_json(info: BackupInfo) -> dict[str, Any]:
    return {
        "name": info.path.name,
        "path": str(info.path),
        "reason": info.reason,
        "created": info.created.isoformat() if info.created else None,
        "size": info.size,
        "reviews": info.reviews,
        "last_review": info.last_review.isoformat() if info.last_review else None,
        "problem": info.problem,
    }
