"""`certdrill bank …`: look at and check banks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from certdrill.cli.common import errors_to_exit, filter_topics, load_banks, out_console

app = typer.Typer(help="List and check question banks.", no_args_is_help=True)


@app.command("list")
@errors_to_exit
def list_items(
    bank: Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank folder or topic file (default: the built-in bank; repeatable).")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, one object per item.")] = False,
) -> None:
    """List the items of a bank."""
    the_bank = load_banks(bank)
    items = filter_topics(the_bank, topic)
    if as_json:
        _echo_json_array(i.to_json() for i in items)
        return
    if len(items) > TABLE_LIMIT:
        _echo_lines(items)
        return
    from rich.table import Table

    from certdrill.ui.render import safe

    table = Table(title=safe(f"{the_bank.title} ({len(items)} items)"), show_lines=False)
    for column in ("id", "type", "topic", "status", "prompt"):
        table.add_column(column, overflow="fold" if column in ("id", "prompt") else "ellipsis", no_wrap=column not in ("id", "prompt"))
    for item in items:
        first_line = item.prompt.strip().splitlines()[0] if item.prompt.strip() else ""
        table.add_row(safe(item.id), item.type, safe(item.topic), "review" if item.status == "needs-review" else "", safe(first_line[:100]))
    out_console().print(table)


TABLE_LIMIT = 2_000  # past this a Rich table takes seconds to lay out (37 s at 50,000 items)


def _echo_lines(items) -> None:
    """A big bank as one tab-separated line an item (id, type, topic, status, prompt's first line),
    written as it goes: as quick to scroll or grep as a table is slow to lay out."""
    from certdrill.text import strip_controls

    out = sys.stdout
    for item in items:
        first_line = item.prompt.strip().splitlines()[0] if item.prompt.strip() else ""
        fields = (item.id, item.type, item.topic, "review" if item.status == "needs-review" else "", first_line[:100])
        out.write("\t".join(strip_controls(field).replace("\t", " ") for field in fields) + "\n")


def _echo_json_array(objects) -> None:
    """`json.dumps(list(objects), indent=1)`, written an object at a time: a 50,000-item bank as one
    string (and one list of dicts) would take hundreds of megabytes."""
    from certdrill.text import json_controls

    out = sys.stdout
    first = True
    for obj in objects:
        out.write(("[\n " if first else ",\n ") + json_controls(json.dumps(obj, ensure_ascii=False, indent=1)).replace("\n", "\n "))
        first = False
    out.write("[]\n" if first else "\n]\n")


@app.command("lint")
@errors_to_exit
def lint(
    path: Annotated[list[Path] | None, typer.Argument(help="Bank folders or topic files (default: the built-in bank).")] = None,
) -> None:
    """Check a bank: every problem as file:line: message. Exit 0 clean, 1 findings, 2 does not load.

    Also warns about retired items: ids with progress that the bank no longer has.
    """
    from certdrill import paths
    from certdrill.bank.lint import lint_bank
    from certdrill.bank.loader import load_bank
    from certdrill.errors import BankError, CertdrillError
    from certdrill.text import show_controls

    targets = path or [paths.builtin_bank_dir()]
    progress = _progress()
    problems: list[str] = []
    errors_total = 0
    failed = False
    for target in targets:
        try:
            the_bank = load_bank(target)
        except BankError as exc:
            problems.extend(exc.lines())
            failed = True
            continue
        except CertdrillError as exc:
            problems.append(str(exc))
            failed = True
            continue
        findings = lint_bank(the_bank, progress=_of_bank(progress, the_bank.name), where=str(target))
        errors = sum(1 for f in findings if f.severity == "error")
        errors_total += errors
        problems.extend(str(f) for f in findings)
        warnings = len(findings) - errors
        verdict = (
            "no problems" if not findings else ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n)
        )
        typer.echo(show_controls(f"{target}: {len(the_bank.items)} items in {len(the_bank.topics)} topics, {verdict}"))
    console = None
    for line in problems:
        if console is None:
            from certdrill.cli.common import err_console

            console = err_console()
        console.print(show_controls(line), markup=False, highlight=False)
    if failed:
        raise typer.Exit(2)
    if errors_total:
        raise typer.Exit(1)


def _progress():
    """Progress per item id, or None when there is no readable store (lint works without one)."""
    from certdrill import paths
    from certdrill.errors import StoreError

    if not paths.db_path().exists():
        return None
    try:
        from certdrill.store.store import Store

        store = Store.open(paths.db_path(), read_only=True)
        try:
            return store.progress_by_item()
        finally:
            store.close()
    except StoreError:
        return None


@app.command("import")
@errors_to_exit
def import_(
    file: Annotated[Path, typer.Argument(help="A question list: Markdown (.md), Anki plain text, or CSV with a header row.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The bank folder to write into (created with a bank.yaml if missing).")],
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Topic slug, and so the file name (default: from the file name).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="markdown, anki-text or csv (default: from the extension or the header lines).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as a JSON object.")] = False,
    with_progress: Annotated[
        bool, typer.Option("--with-progress", help="Anki packages: also bring the review history in, so scheduling continues where Anki left it.")
    ] = False,
) -> None:
    """Convert a community question list or an Anki package (.apkg, .colpkg) into bank YAML; untrusted items get status: needs-review."""
    from certdrill.bank.importers.importer import import_file
    from certdrill.ui.render import safe

    report = import_file(file, output, topic=topic, fmt=fmt, with_progress=with_progress)
    added = _merge_anki_reviews(report.reviews) if getattr(report, "reviews", None) else 0
    if as_json:
        typer.echo(json.dumps({**report.to_json(), **({"reviews_added": added} if with_progress else {})}, ensure_ascii=False, indent=1))
        return
    console = out_console()

    def say(text: str, style: str = "") -> None:
        console.print(safe(text, style), highlight=False, soft_wrap=True)

    changes = report.changes
    counts = f"{len(changes.new)} new, {len(changes.updated)} updated, {len(changes.unchanged)} unchanged, {len(changes.removed)} removed"
    into = ", ".join(str(p) for p in getattr(report, "topic_files", None) or [report.topic_file])
    say(f"Imported {len(report.items)} {'cards' if report.format in ('apkg', 'colpkg') else 'questions'} from {file} into {into} ({counts}).", "bold")
    if with_progress:
        reviews = len(report.reviews)
        say(f"Imported {added} new reviews ({reviews - added} already here) from {file}.")
    if report.manifest_created:
        say(f"Created {report.topic_file.parent / 'bank.yaml'}; edit its title.")
    review = report.needs_review
    if review:
        say(f"{len(review)} need review (status: needs-review; study them with --include-unreviewed):")
        for item in review:
            say(f"  {file.name}:{item.line}: {'; '.join(item.reasons)} ({item.id})")
    for item_id in changes.kept_reviewed:
        say(f"  kept your reviewed version of {item_id}: the source still needs review there")
    for item_id in changes.removed:
        say(f"  removed {item_id}: no longer in {file.name} (its progress stays; add the id to previous_ids if it was reworded)")
    if report.skipped_lines:
        lines = ", ".join(str(n) for n in report.skipped_lines)
        say(f"Skipped headings or numbered lines with no options (not questions): line{'s' if len(report.skipped_lines) > 1 else ''} {lines}.", "dim")


def _merge_anki_reviews(reviews) -> int:
    """Anki's answers into the progress store, merged as `certdrill import` merges a progress file."""
    from certdrill.cli.common import err_console, load_settings, open_store
    from certdrill.cli.progress import _merge
    from certdrill.exchange.importer import Incoming
    from certdrill.review_log import review_row
    from certdrill.ui.activity import activity

    incoming = Incoming([review_row(r) for r in reviews])
    with activity(err_console(), "Importing Anki's reviews") as shown:
        return _merge(open_store(), incoming, load_settings(), shown)


def _of_bank(progress, name: str) -> dict[str, int] | None:
    """Reviews per id, counting only items studied as part of this bank."""
    if not progress:
        return None
    return {item_id: p.reviews for item_id, p in progress.items() if name in p.banks}
