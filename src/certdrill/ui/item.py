"""`item ID` drawn: the question as a session shows it (inert), the card, the flags, the history, the references."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from certdrill.bank.items import LETTERS
from certdrill.schedule.scheduler import STATE_NAMES
from certdrill.ui import learn, render

if TYPE_CHECKING:
    from certdrill.services.item import ItemReport


def show_item(console: Console, report: ItemReport) -> None:
    item = report.item
    order = tuple(range(len(item.choices)))  # file order: the letters the history uses
    head = Text(f"{item.id}", style="bold").append(f"  ·  {item.type} · topic {item.topic} · {item.status}", style="dim")
    console.print(render.question(item, order, render.safe(head.plain)))
    if item.is_choice:
        console.print(Text("Answer: ", style="bold").append(render.letters_for(item.answer, order)))
    elif item.back:
        console.print(Text("Back: ", style="bold").append(render.prose(item.back)))
    console.print()
    console.print(_card(report))
    flags = [f"leech ({report.card.lapses if report.card else 0} lapses, leech-lapses {report.leech_lapses})" if report.leech else ""]
    if report.suspension is not None:
        flags.append(f"suspended since {report.suspension.at.astimezone():%Y-%m-%d %H:%M} ({report.suspension.reason})")
    if any(flags):
        console.print(Text("Flags: ", style="bold yellow").append("; ".join(f for f in flags if f)))
    console.print()
    console.print(_history(report))
    more = learn.LearnMore(item.references)
    if more:
        console.print()
        console.print(more)


def _card(report: ItemReport) -> Text:
    card = report.card
    if card is None:
        return Text("Card: none yet (never answered).", style="dim")
    line = Text("Card: ", style="bold")
    stability = "-" if card.stability is None else f"{card.stability:.2f} days"
    difficulty = "-" if card.difficulty is None else f"{card.difficulty:.2f}"
    line.append(
        f"{STATE_NAMES[card.state]}, due {card.due.astimezone():%Y-%m-%d %H:%M}, stability {stability}, difficulty {difficulty}, "
        f"predicted recall now {report.recall:.0%}, {card.reps} reviews, {card.lapses} lapses"
    )
    return line


def _history(report: ItemReport) -> Table | Text:
    if not report.history:
        return Text("History: no answers yet.", style="dim")
    table = Table(title="History", title_justify="left", show_edge=False, pad_edge=False, box=None)
    for column in ("when", "kind", "rating", "answer", "result", ""):
        table.add_column(column)
    for entry in report.history:
        r = entry.review
        chosen = "-" if r.answer is None else ", ".join(LETTERS[i] for i in r.answer if i < len(LETTERS))
        result = "self-rated" if r.correct is None else "right" if r.correct else "wrong"
        undone = "" if entry.undone_at is None else f"undone {entry.undone_at.astimezone():%Y-%m-%d %H:%M}"
        table.add_row(f"{r.reviewed_at.astimezone():%Y-%m-%d %H:%M}", r.kind, r.rating.name.title(), chosen, result, undone, style="dim" if undone else "")
    return table
