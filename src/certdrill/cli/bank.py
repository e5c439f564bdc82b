"""`certdrill bank …`: look at and check banks."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from certdrill.bank.cue_limits import DEFAULT_MIN_ITEMS, DEFAULT_THRESHOLD
from certdrill.cli.common import err_console, err_line, errors_to_exit, out_console
from certdrill.cli.options import check_range
from certdrill.text import inert_json

app = typer.Typer(
    help="List, check and import question banks.\n\nExamples:\ncertdrill bank list\ncertdrill bank lint content/community/\ncertdrill bank import questions.md -o content/community/",
    no_args_is_help=True,
)


@app.command("list")
@errors_to_exit
def list_items(
    bank: Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank folder or topic file (default: the built-in bank; repeatable).")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    sort: Annotated[
        str | None, typer.Option("--sort", "-s", help="due (soonest first), recall (lowest first) or lapses (most first); items never seen last.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON array, one object per item (written as it goes).")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="JSON Lines: one object per item a line, for streaming big banks.")] = False,
) -> None:
    """List the items of a bank with their progress: due date (or new), interval in days, lapses, predicted recall now, suspended and leech flags.

    Examples:
        certdrill bank list --topic ecr
        certdrill bank list --sort recall
        certdrill bank list --jsonl --bank content/community/
    """
    from certdrill import clock
    from certdrill.services.listing import list_bank

    listing = list_bank(bank, topic, now=clock.now(), sort=sort, warn=err_line)
    if as_jsonl:
        _echo_json_lines(row.to_json() for row in listing.rows)
        return
    if as_json:
        _echo_json_array(row.to_json() for row in listing.rows)
        return
    from certdrill.ui import listing as shown

    if len(listing.rows) > TABLE_LIMIT:
        shown.write_lines(sys.stdout, listing.rows)
    else:
        shown.show_table(out_console(), listing)


TABLE_LIMIT = 2_000  # past this a Rich table takes seconds to lay out (37 s at 50,000 items)


def _echo_json_lines(objects: Iterable[dict]) -> None:
    """One compact JSON object a line (JSON Lines), each written as soon as it is made."""
    out = sys.stdout
    for obj in objects:
        out.write(inert_json(obj) + "\n")


def _echo_json_array(objects: Iterable[dict]) -> None:
    """`json.dumps(list(objects), indent=1)`, written an object at a time: a 50,000-item bank as one
    string (and one list of dicts) would take hundreds of megabytes."""

    out = sys.stdout
    first = True
    for obj in objects:
        out.write(("[\n " if first else ",\n ") + inert_json(obj, indent=1).replace("\n", "\n "))
        first = False
    out.write("[]\n" if first else "\n]\n")


@app.command("lint")
@errors_to_exit
def lint(
    path: Annotated[list[Path] | None, typer.Argument(help="Bank folders or topic files (default: the built-in bank).")] = None,
) -> None:
    """Check a bank: every problem as file:line: message. Exit 0 clean, 1 findings, 2 does not load.

    Also warns about retired items: ids with progress that the bank no longer has.

    Examples:
        certdrill bank lint
        certdrill bank lint content/community/
    """
    from certdrill.services.banks import lint_banks
    from certdrill.text import show_controls

    report = lint_banks(path)
    for line in report.summaries:
        typer.echo(show_controls(line))
    if report.problems:
        console = err_console()
        for line in report.problems:
            console.print(show_controls(line), markup=False, highlight=False)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


@app.command("audit")
@errors_to_exit
def audit(
    path: Annotated[list[Path] | None, typer.Argument(help="Bank folders or topic files, audited as one bank (default: the built-in bank).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The audit as a JSON object.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when a cue beats chance by more than --threshold points.")] = False,
    stale_before: Annotated[str | None, typer.Option("--stale-before", help="List items whose facts were checked before this date (YYYY-MM-DD).")] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Points above chance a cue may reach under --strict.")] = DEFAULT_THRESHOLD,
    min_items: Annotated[int, typer.Option("--min-items", help="A cue that applies to fewer items is not judged.")] = DEFAULT_MIN_ITEMS,
    count_hidden: Annotated[
        bool, typer.Option("--count-hidden", help="Also fail on cues in ids and tags (certdrill hides both until the answer; other apps may not).")
    ] = False,
) -> None:
    """How far a test-wise guesser gets on a bank, cue by cue, against chance; the items behind each
    cue as file:line; rationale, AWS documentation and checked-date coverage.

    Exit 0; under --strict 1 when a cue beats chance (or the built-in bank falls short of its
    coverage minimums); 2 when the bank does not load or an option is bad.

    Examples:
        certdrill bank audit
        certdrill bank audit content/community/ --strict
        certdrill bank audit --json --stale-before 2026-01-01
    """
    from certdrill.services.banks import audit_banks

    check_range("--threshold", threshold, 0, 100)
    check_range("--min-items", min_items, 1, 1_000_000)
    report = audit_banks(path, strict=strict, stale_before=_date(stale_before), threshold=threshold, min_items=min_items, count_hidden=count_hidden)
    if as_json:
        typer.echo(inert_json(report.to_json(), indent=1))
    else:
        from certdrill.ui.audit import show

        show(out_console(), report.bank, report.audit, threshold, min_items)
    if strict:
        from certdrill.ui.audit import show_strict

        show_strict(err_console(), report)
        if not report.passed:
            raise typer.Exit(1)


def _date(value: str | None) -> str | None:
    from datetime import date

    from certdrill.errors import InputError

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"--stale-before: {value!r} is not a date (YYYY-MM-DD)") from None


@app.command("import")
@errors_to_exit
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Question lists (Markdown .md, Anki plain text, CSV with a header row; several go into one bank, the same question once) or one Anki package (.apkg, .colpkg).",
            metavar="FILE...",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The bank folder to write into (created with a bank.yaml if missing).")],
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Topic slug, and so the file name (default: from the file name).")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="markdown, anki-text or csv (default: from the extension or the header lines).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The report as a JSON object.")] = False,
    with_progress: Annotated[
        bool, typer.Option("--with-progress", help="Anki packages: also bring the review history in, so scheduling continues where Anki left it.")
    ] = False,
) -> None:
    """Convert community question lists or an Anki package (.apkg, .colpkg) into bank YAML; untrusted items get status: needs-review.

    Several question lists go into one bank: the same question in two files is one item, and a key they disagree on is flagged.

    Examples:
        certdrill bank import aws-dva-questions.md -o content/community/
        certdrill bank import part1.md part2.md deck.txt -o content/community/
        certdrill bank import my-deck.apkg -o content/my-deck/ --with-progress
    """
    from contextlib import nullcontext

    from certdrill.services.bank_import import import_bank_file
    from certdrill.ui.activity import Activity, activity
    from certdrill.ui.render import safe

    shown = activity(err_console(), "Importing Anki's reviews") if with_progress else nullcontext(Activity())
    with shown as live:
        done = import_bank_file(files, output, topic=topic, fmt=fmt, with_progress=with_progress, shown=live, warn=err_line)
    report = done.report
    if as_json:
        typer.echo(inert_json(done.to_json(), indent=1))
        return
    console = out_console()

    def say(text: str, style: str = "") -> None:
        console.print(safe(text, style), highlight=False, soft_wrap=True)

    changes = report.changes
    counts = f"{len(changes.new)} new, {len(changes.updated)} updated, {len(changes.unchanged)} unchanged, {len(changes.removed)} removed"
    into = ", ".join(str(p) for p in report.topic_files)
    say(f"Imported {len(report.items)} {'cards' if done.package else 'questions'} from {', '.join(str(f) for f in files)} into {into} ({counts}).", "bold")
    if done.reviews is not None:
        say(f"Imported {done.added} new reviews ({done.reviews - done.added} already here) from {files[0]}.")
    if report.manifest_created:
        say(f"Created {report.topic_file.parent / 'bank.yaml'}; edit its title.")
    review = report.needs_review
    if review:
        say(f"{len(review)} need review (status: needs-review; study them with --include-unreviewed):")
        for item in review:
            say(f"  {item.source or files[0].name}:{item.line}: {'; '.join(item.reasons)} ({item.id})")
    if report.folded:
        say(f"{len(report.folded)} found in more than one file, kept once (its sources name every place):")
        for copy in report.folded:
            say(f"  {copy.copy}: the same question as {copy.kept}{' with a different key' if copy.conflict else ''} ({copy.id})")
    for item_id in changes.kept_reviewed:
        say(f"  kept your reviewed version of {item_id}: the source still needs review there")
    for item_id in changes.removed:
        say(f"  removed {item_id}: no longer in {', '.join(f.name for f in files)} (its progress stays; add the id to previous_ids if it was reworded)")
    if report.skipped_lines:
        say(f"Skipped headings or numbered lines with no options (not questions): {', '.join(report.skipped_lines)}.", "dim")
