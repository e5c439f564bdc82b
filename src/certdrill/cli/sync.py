"""`certdrill sync [DIR] [--git] [--json]`: progress kept in step through a shared folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from certdrill.cli.common import err_line, errors_to_exit, out_console
from certdrill.text import inert_json


def register(app: typer.Typer) -> None:
    app.command()(sync)


@errors_to_exit
def sync(
    folder: Annotated[Path | None, typer.Argument(help="A folder another tool keeps in step across machines (default: the configured sync-dir).")] = None,
    git: Annotated[bool, typer.Option("--git", help="The folder is a git work tree: pull first, then commit this device's files and push.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="What was read and sent, as a JSON object.")] = False,
) -> None:
    """Merge every other device's progress from the folder and write this device's own files there.

    Each device appends only to DIR/certdrill/<device id>/, so no sync tool ever has a conflict to resolve. Reviews, undone answers, suspensions, mock exams (finished and in progress), settings (each key: the last change wins) and adopted FSRS parameters travel. Safe to repeat, and to run on any number of machines.

    Examples:
        certdrill sync ~/Sync/certdrill
        certdrill sync --json
        certdrill sync ~/notes-repo --git
    """
    from certdrill import clock
    from certdrill.services.sync import run_sync
    from certdrill.ui import sync as shown

    done = run_sync(folder, now=clock.now(), git=git, warn=err_line)
    if as_json:
        typer.echo(inert_json(shown.as_json(done), indent=2))
        return
    shown.show(out_console(), done)
