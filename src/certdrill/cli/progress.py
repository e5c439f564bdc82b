"""`certdrill export` and `certdrill import`: progress as one JSON document; the bank as an Anki deck."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from certdrill.cli.common import err_console, err_line, errors_to_exit, out_console
from certdrill.errors import InputError

FORMATS = ("json", "anki", "anki-text")


@errors_to_exit
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write ('-' for standard output; not for anki).")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="json (progress, the default), anki (an .apkg package; the default for -o *.apkg) or anki-text (Anki's plain-text import)."
        ),
    ] = None,
    bank: Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank to export or name (default: built-in; repeatable).")] = None,
    with_progress: Annotated[
        bool, typer.Option("--with-progress", help="anki: carry each card's due date, interval, memory state and review history over.")
    ] = False,
    include_unreviewed: Annotated[bool, typer.Option("--include-unreviewed", help="anki, anki-text: also export items marked status: needs-review.")] = False,
) -> None:
    """Write progress as JSON (see docs/progress.schema.json), or the bank as an Anki deck.

    Examples:
        certdrill export -o progress.json
        certdrill export --format anki --with-progress -o aws-containers.apkg
        certdrill export --format anki-text -o aws-containers.txt
    """
    from certdrill import clock
    from certdrill.services.progress import export_anki, export_progress

    fmt = fmt or ("anki" if output.suffix.lower() == ".apkg" else "json")
    if fmt not in FORMATS:
        raise InputError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if with_progress and fmt != "anki":
        raise InputError("--with-progress: only with --format anki")
    if include_unreviewed and fmt == "json":
        raise InputError("--include-unreviewed: only with --format anki or anki-text")
    if fmt == "json":
        done = export_progress(output, bank, now=clock.now())
        if str(output) != "-":
            out_console().print(f"Exported {done.count} reviews and {done.cards} cards to {output}", markup=False, soft_wrap=True)
        return
    done = export_anki(output, bank, fmt, with_progress=with_progress, include_unreviewed=include_unreviewed, now=clock.now())
    if str(output) != "-":
        from certdrill.ui.render import safe

        progress = f", {done.scheduled} with progress" if with_progress else ""
        out_console().print(safe(f'Exported {done.count} notes{progress} to {output} (deck "{done.deck}")'), highlight=False, soft_wrap=True)


@errors_to_exit
def import_(
    file: Annotated[Path, typer.Argument(help="A progress file made by certdrill export.")],
    as_json: Annotated[bool, typer.Option("--json", help="What was merged, as a JSON object.")] = False,
) -> None:
    """Merge progress from another machine: reviews are united by id, cards rebuilt by replay; answers undone on either side stay undone.

    Examples:
        certdrill import progress.json
        certdrill import progress.json --json
    """
    from certdrill import clock
    from certdrill.services.progress import import_progress, read_progress
    from certdrill.ui.activity import activity

    incoming = read_progress(file)
    with activity(err_console(), f"Importing {file.name}") as shown:
        done = import_progress(file, incoming, shown, warn=err_line, now=clock.now())
    if as_json:
        from certdrill.text import inert_json

        typer.echo(inert_json({"file": str(file)} | done.to_json(), indent=1))
        return
    undone = done.merged
    undos = (
        [
            f"{n} undone answer{'s' if n != 1 else ''} {what}"
            for n, what in ((undone.undone_applied, "applied"), (undone.undone_already, "already undone here"))
            if n
        ]
        if undone
        else []
    )
    line = f"Imported {done.added} new reviews ({done.already_here} already here) from {file}"
    out_console().print("; ".join([line, *undos]), markup=False, soft_wrap=True)
    if done.extras is not None and (done.extras.exams or done.extras.settings or done.extras.parameters):
        parts = [f"{done.extras.exams} mock exams", f"{done.extras.settings} settings"] + (["the FSRS parameters"] if done.extras.parameters else [])
        out_console().print(f"Also merged {', '.join(parts)}", markup=False)
