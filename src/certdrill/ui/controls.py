"""What the learner's controls show: an undo, a new leech, suspensions, one item's card and history."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from certdrill.ui.render import safe

if TYPE_CHECKING:
    from certdrill.drill.session import Outcome
    from certdrill.services.controls import SuspendChange, Undone

UNDO_KEY = " · u: undo"


def took_back(console: Console, undone: Outcome) -> None:
    """`u` in a session: the answer taken back; its question follows again."""
    line = Text("Undone: ", style="bold")
    line.append(f"your answer to {safe(undone.review.item_id)}; it is asked again and its card is as it was.")
    console.print(line)


def show_notice(console: Console, notice: object) -> None:
    """A leech the answer just made (anything else `save` returns is not for the learner)."""
    from certdrill.insight.leeches import Leech

    if not isinstance(notice, Leech):
        return
    line = Text("Leech: ", style="bold yellow")
    line.append(f"{safe(notice.item_id)} has lapsed {notice.lapses} times (leech-lapses). ")
    if notice.suspended:
        line.append(f"It is suspended: rewrite or re-learn it, then `certdrill unsuspend {safe(notice.item_id)}`.")
    else:
        line.append("It stays in your sessions, tagged as a leech (certdrill stats lists leeches).")
    console.print(line)


def undone(console: Console, result: Undone) -> None:
    r = result.review
    verdict = "no grade" if r.correct is None else "right" if r.correct else "wrong"
    line = Text("Undone: ", style="bold")
    line.append(f"the {r.kind} answer to {safe(r.item_id)} at {r.reviewed_at.astimezone():%Y-%m-%d %H:%M} ({verdict}, {r.rating.name.title()}). ")
    if result.card is None:
        line.append("The item is new again.")
    else:
        line.append(f"Its card is due {result.card.due.astimezone():%Y-%m-%d %H:%M} again.")
    console.print(line)


def suspend_change(console: Console, change: SuspendChange) -> None:
    verb = "Suspended" if change.suspended else "Unsuspended"
    already = "suspended" if change.suspended else "not suspended"
    if change.changed:
        console.print(Text(f"{verb} {len(change.changed)}: ", style="bold").append(safe(", ".join(change.changed))))
    if change.unchanged:
        console.print(Text(f"Already {already} {len(change.unchanged)}: ", style="dim").append(safe(", ".join(change.unchanged))))


def leech_table(leeches: list, title: str = "Leeches") -> Group:
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("Item")
    table.add_column("Lapses", justify="right")
    table.add_column("Suspended")
    for leech in leeches:
        table.add_row(safe(leech.item_id), str(leech.lapses), "yes" if leech.suspended else "no")
    return Group(Text(title, style="bold"), table)
