"""`certdrill backup list|now|restore`: the copies of the progress database."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, out_console

app = typer.Typer(help="List, make and restore backups of your progress.", no_args_is_help=True)


@app.command("list")
@errors_to_exit
def list_(as_json: Annotated[bool, typer.Option("--json", help="A JSON array, newest first.")] = False) -> None:
    """Every backup, newest first, with how many answers it holds."""
    from certdrill import paths
    from certdrill.store.backup import backup_dir, describe, list_backups

    infos = [describe(p) for p in list_backups(paths.db_path())]
    if as_json:
        typer.echo(json.dumps([_as_json(i) for i in infos], indent=1))
        return
    console = out_console()
    if not infos:
        console.print(f"No backups yet in {backup_dir(paths.db_path())}.", markup=False)
        return
    from rich.table import Table

    table = Table(title=f"Backups in {backup_dir(paths.db_path())}", title_justify="left", show_edge=False, box=None, pad_edge=False)
    # names and counts never wrap nor shrink (a count cut to one digit misleads); the last-answer
    # column, or why a copy is unreadable, wraps instead on a narrow terminal
    table.add_column("name", no_wrap=True)
    table.add_column("answers", justify="right", no_wrap=True, min_width=max(len("answers"), *(len(str(i.reviews)) for i in infos)))
    table.add_column("last answer", overflow="fold")
    table.add_column("size", justify="right", no_wrap=True)
    for i in infos:
        answers, last = (str(i.reviews), _when(i.last_review)) if i.reviews is not None else ("-", f"unreadable: {i.problem}")
        table.add_row(i.path.name, answers, last, f"{i.size / 1024:,.0f} KiB")
    console.print(table)
    console.print("Restore one with: certdrill backup restore NAME", style="dim", markup=False)


@app.command("now")
@errors_to_exit
def now() -> None:
    """Make a backup now (kept until you delete it)."""
    from certdrill import clock, paths
    from certdrill.store.backup import make_backup
    from certdrill.store.store import Store

    store = Store.open(paths.db_path())
    try:
        with store.reading() as conn:
            target = make_backup(conn, store.path, "manual", when=clock.now())
    finally:
        store.close()
    out_console().print(f"Backed up to {target}", markup=False, soft_wrap=True)


@app.command("restore")
@errors_to_exit
def restore(
    name: Annotated[str, typer.Argument(help="A name from `certdrill backup list`, or a path to a backup file.")],
) -> None:
    """Put a backup back in place; the current database is kept in backups/, never deleted."""
    from certdrill import clock, paths
    from certdrill.store.backup import describe, find_backup, restore_backup

    source = find_backup(paths.db_path(), name)
    aside = restore_backup(source, paths.db_path(), when=clock.now())
    info = describe(paths.db_path())
    console = out_console()
    console.print(f"Restored {source.name}: {info.reviews} answers, the last on {_when(info.last_review)}.", markup=False, soft_wrap=True)
    if aside is not None:
        console.print(f"The database it replaced is kept as {aside}", markup=False, soft_wrap=True)


def _when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def _as_json(info) -> dict:
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
