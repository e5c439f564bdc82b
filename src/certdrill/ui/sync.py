"""What `certdrill sync` says: one summary line (and notes), or a JSON object."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from certdrill.services.sync import Synced


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(done: Synced) -> str:
    got = [_plural(done.added, "new review")]
    if done.controls:
        got.append(f"{done.controls} {'undo or suspension change' if done.controls == 1 else 'undos or suspension changes'}")
    if done.exams:
        got.append(_plural(done.exams, "exam"))
    if done.settings:
        got.append(_plural(done.settings, "setting"))
    if done.parameters:
        got.append("FSRS parameters")
    line = f"Synced with {done.folder}: {', '.join(got)} from {_plural(done.devices, 'other device')}; {_plural(done.sent, 'record')} sent"
    if done.compacted:
        line += "; this device's files compacted"
    return line + "."


def notes(done: Synced) -> list[str]:
    out = list(done.notes)
    if done.damaged:
        out.append(f"{_plural(done.damaged, 'line')} in the folder could not be read (torn by a crash or a sync tool) and were skipped")
    if done.unknown:
        out.append(f"{_plural(done.unknown, 'record')} could not be taken (from a newer certdrill, or a value this one refuses) and were skipped")
    if done.healed:
        out.append("every device file was read again (first sync here, or a file was gone or shorter)")
    return out


def as_json(done: Synced) -> dict:
    data = asdict(done)
    data["folder"] = str(done.folder)
    data["notes"] = notes(done)
    return data


def show(console: Console, done: Synced) -> None:
    console.print(summary(done), markup=False, highlight=False, soft_wrap=True)
    for note in notes(done):
        console.print(note, markup=False, highlight=False, style="dim", soft_wrap=True)


def session_line(done: Synced | str) -> str | None:
    """What a session says about its own sync: why it was skipped, or what came in (nothing when nothing did)."""
    if isinstance(done, str):
        return done
    if not (done.added or done.controls or done.exams or done.settings or done.parameters):
        return None
    return summary(done)
