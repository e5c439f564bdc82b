"""Bank items as Anki notes: pure data the .apkg and plain-text writers turn into files.

Anki fields are HTML, so every piece of bank text is escaped here, once, with control characters
stripped and Anki's own bracket syntax ([sound:…], [latex]) defused: bank text stays data.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from certdrill.bank.items import LETTERS, Item
from certdrill.bank.loader import expected_count
from certdrill.bank.words import count_word
from certdrill.schedule.scheduler import CardState
from certdrill.text import reflow, strip_controls

if TYPE_CHECKING:
    from certdrill.exchange.anki_history import RevlogRow

FIELDS = ("Id", "Prompt", "Choices", "Answer", "Explanation", "Source")
NOTETYPE = "certdrill question"
EXAM_TAG = re.compile(r"^[A-Z]{3}-C\d{2}$")
NEEDS_REVIEW_TAG = "needs-review"
ROLLOVER_HOURS = 4  # Anki's day starts at 4 a.m. local time unless the user changes it
ANSWER_PREFIX = "Answer:"
SOURCE_PREFIX = "Source:"


@dataclass(frozen=True, slots=True)
class AnkiSchedule:
    """Where a card stands, in the terms Anki's card table uses."""

    kind: str  # "review", "learning" or "relearning"
    due_date: date  # review cards: the day it is due
    due_at: datetime  # learning cards: the moment it is due
    interval_days: int
    reps: int
    lapses: int
    stability: float | None
    difficulty: float | None
    last_review: datetime | None


@dataclass(frozen=True, slots=True)
class AnkiNote:
    item_id: str
    guid: str
    fields: tuple[str, ...]  # in FIELDS order, HTML
    tags: tuple[str, ...]
    schedule: AnkiSchedule | None = None
    history: tuple[RevlogRow, ...] = ()  # oldest first: the card's review log


def html_text(text: str) -> str:
    """Bank text as an inert HTML fragment: escaped, control characters gone, hard-wrapped lines
    joined (as the terminal shows them), remaining newlines as <br>."""
    escaped = html.escape(reflow(strip_controls(text)).strip(), quote=False).replace("[", "&#91;")
    return escaped.replace("\n", "<br>")


def guid(item_id: str) -> str:
    """Stable per item, so importing a newer export updates the notes instead of duplicating them."""
    return f"certdrill:{item_id}"


def anki_id(text: str, *, low: int = 1 << 30, high: int = 1 << 31) -> int:
    """A deck or note-type id from its name: the same name gets the same id in every export."""
    digest = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return low + digest % (high - low)


def tags_for(item: Item) -> tuple[str, ...]:
    """Hierarchical tags: topic::…, exam::SOA-C03 for exam codes, service::… for the rest."""
    tags = [f"topic::{item.topic}"]
    for tag in item.tags:
        tags.append(f"exam::{tag}" if EXAM_TAG.match(tag) else f"service::{tag}")
    if item.status != "active":
        tags.append(NEEDS_REVIEW_TAG)
    return tuple(dict.fromkeys(tags))


def prompt_html(item: Item) -> str:
    text = html_text(item.prompt)
    if item.type == "multi" and expected_count(item.prompt) is None:
        text += f"<br>(Choose {count_word(len(item.answer))}.)"
    return text


def choice_lines(item: Item, indices: Iterable[int]) -> list[str]:
    return [f"{LETTERS[i]}) {html_text(item.choices[i])}" for i in indices]


def answer_html(item: Item) -> str:
    if not item.is_choice:
        return html_text(item.back or "")
    return "<br>".join(choice_lines(item, item.answer))


def link_html(url: str) -> str:
    """A reference as a link (an http(s) address only), its address escaped like any bank text."""
    shown = html.escape(strip_controls(url), quote=True).replace("[", "&#91;")
    return f'<a href="{shown}">{shown}</a>' if url.startswith(("https://", "http://")) else shown


def explanation_html(item: Item) -> str:
    """The explanation, then why each wrong choice is wrong (letters in file order, as the front
    shows them) and the item's references as links."""
    text = html_text(item.explanation)
    whys = [f"{LETTERS[i]}) {html_text(why)}" for i in range(len(item.choices)) if i not in item.answer and (why := item.rationale(i))]
    if whys:
        text += "<br><br>Why not:<br>" + "<br>".join(whys)
    if item.references:
        text += "<br><br>Learn more:<br>" + "<br>".join(link_html(url) for url in item.references)
    return text


def source_html(item: Item) -> str:
    parts = [html_text(s.note) + (f" (“{html_text(s.quote)}”)" if s.quote else "") for s in item.sources]
    return "; ".join(parts)


def anki_day(moment: datetime) -> date:
    """The Anki day a moment falls in: local time, with days starting at the rollover hour."""
    return (moment.astimezone() - timedelta(hours=ROLLOVER_HOURS)).date()


def schedule_for(card: CardState) -> AnkiSchedule:
    """certdrill's FSRS state as Anki card data; Anki reads the memory state when FSRS is on."""
    kind = {2: "review", 3: "relearning"}.get(card.state, "learning")
    interval = 0
    if card.last_review is not None:
        interval = (anki_day(card.due) - anki_day(card.last_review)).days
    if kind != "learning":
        interval = max(1, interval)
    return AnkiSchedule(
        kind=kind,
        due_date=anki_day(card.due),
        due_at=card.due,
        interval_days=max(0, interval),
        reps=card.reps,
        lapses=card.lapses,
        stability=card.stability,
        difficulty=card.difficulty,
        last_review=card.last_review,
    )


def card_columns(schedule: AnkiSchedule | None, collection_start: date, position: int = 0) -> dict:
    """Anki's card-table scheduling columns.

    New cards are due by position (bank order), review cards in days since the collection began,
    learning cards at a moment in epoch seconds.
    """
    if schedule is None:
        return {"type": 0, "queue": 0, "due": position, "ivl": 0, "factor": 0, "reps": 0, "lapses": 0, "left": 0, "data": ""}
    memory = {}
    if schedule.stability is not None and schedule.difficulty is not None:
        memory = {"s": round(schedule.stability, 4), "d": round(schedule.difficulty, 4)}
        if schedule.last_review is not None:
            memory["lrt"] = int(schedule.last_review.timestamp())
    columns = {"ivl": schedule.interval_days, "factor": 2500, "reps": schedule.reps, "lapses": schedule.lapses, "data": json.dumps(memory) if memory else ""}
    if schedule.kind == "review":
        return {**columns, "type": 2, "queue": 2, "due": (schedule.due_date - collection_start).days, "left": 0}
    # one learning step left: Anki graduates or relearns the card at its next answer
    return {**columns, "type": 1 if schedule.kind == "learning" else 3, "queue": 1, "due": int(schedule.due_at.timestamp()), "left": 1}


def note_for(item: Item, card: CardState | None = None, history: tuple[RevlogRow, ...] = ()) -> AnkiNote:
    choices = "<br>".join(choice_lines(item, range(len(item.choices))))
    fields = (html_text(item.id), prompt_html(item), choices, answer_html(item), explanation_html(item), source_html(item))
    return AnkiNote(item.id, guid(item.id), fields, tags_for(item), schedule_for(card) if card is not None else None, history)


def build_notes(
    items: Sequence[Item],
    *,
    cards: dict[str, CardState] | None = None,
    include_unreviewed: bool = False,
    histories: dict[str, tuple[RevlogRow, ...]] | None = None,
) -> list[AnkiNote]:
    """One note per item, in bank order; `cards` (progress) carries each card's scheduling over,
    `histories` (anki_history) its review log."""
    cards, histories = cards or {}, histories or {}
    return [note_for(item, cards.get(item.id), histories.get(item.id, ())) for item in items if include_unreviewed or item.status == "active"]


def front_back(note: AnkiNote) -> tuple[str, str]:
    """The two sides of a Basic note, for importers that only know Front and Back."""
    values = dict(zip(FIELDS, note.fields, strict=True))
    front = values["Prompt"] + (f"<br><br>{values['Choices']}" if values["Choices"] else "")
    back = f"{ANSWER_PREFIX}<br>{values['Answer']}<br><br>{values['Explanation']}"
    if values["Source"]:
        back += f"<br><br>{SOURCE_PREFIX} {values['Source']}"
    return front, back
