"""`bank list` drawn: a table for a bank of ordinary size, tab-separated lines for a big one (which
do not import rich: tens of milliseconds saved)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from certdrill.text import strip_controls

if TYPE_CHECKING:
    from rich.console import Console

    from certdrill.bank.items import Item
    from certdrill.services.listing import Listed, Listing

COLUMNS = ("id", "type", "topic", "due", "ivl", "lapses", "recall", "flags", "prompt")  # ivl: the interval in days (Anki's name for it)


def flags(row: Listed) -> str:
    """What sets the item apart, a word each: "review" (status: needs-review), "suspended", "leech"."""
    item = row.item
    if not (row.suspended or row.leech or item.status == "needs-review"):
        return ""
    return " ".join(word for word, on in (("review", item.status == "needs-review"), ("suspended", row.suspended), ("leech", row.leech)) if on)


def progress_cells(row: Listed) -> tuple[str, str, str, str]:
    """Due (local date, or "new"), interval in days ("<1" for a same-day step), lapses, recall now."""
    card = row.card
    if card is None:
        return "new", "", "", ""
    days = row.interval_days
    interval = "" if days is None else "<1" if days < 1 else f"{days:.0f}"
    recall = "" if row.recall is None else f"{row.recall:.0%}"
    return card.due.astimezone().date().isoformat(), interval, str(card.lapses), recall


def _cells(row: Listed) -> tuple[str, ...]:
    item = row.item
    return (item.id, item.type, item.topic, *progress_cells(row), flags(row), _first_line(item))


def _first_line(item: Item) -> str:
    prompt = item.prompt.strip()
    return prompt.splitlines()[0][:100] if prompt else ""


def show_table(console: Console, listing: Listing) -> None:
    from rich import box
    from rich.table import Table

    from certdrill.ui.render import safe

    table = Table(title=safe(f"{listing.bank.title} ({len(listing.rows)} items)"), box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    widest_id = max((len(row.item.id) for row in listing.rows), default=2)
    for column in COLUMNS:
        folded = column in ("id", "prompt")
        table.add_column(column, overflow="fold" if folded else "ellipsis", no_wrap=not folded, min_width=min(widest_id, 16) if column == "id" else None)
    for row in listing.rows:
        table.add_row(*(safe(cell) for cell in _cells(row)))
    console.print(table)


def write_lines(out: TextIO, rows: Iterable[Listed]) -> None:
    """A big bank as one tab-separated line an item (the table's columns), written as it goes: as
    quick to scroll or grep as a table is slow to lay out. Controls are stripped from the whole line
    at once (a tab is not one; tabs in bank text become spaces): a regex pass a line, not one a cell."""
    for row in rows:
        item = row.item
        due, interval, lapses, recall = progress_cells(row)
        bank_text = (item.id, item.topic, _first_line(item))
        ident, topic, prompt = (text.replace("\t", " ") for text in bank_text) if "\t" in "".join(bank_text) else bank_text
        out.write(strip_controls(f"{ident}\t{item.type}\t{topic}\t{due}\t{interval}\t{lapses}\t{recall}\t{flags(row)}\t{prompt}\n"))
