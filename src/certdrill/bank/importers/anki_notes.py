"""Anki notes → bank items, Anki's review log → certdrill reviews: pure functions over the records
`store.anki_collection` reads.

Every card becomes one flashcard: a Basic note gives one, a reversed note one per direction, a
cloze note one per deletion (the deletion shown as `[…]`, or `[hint]`, the deleted text on the
back). The id comes from the note's GUID and the card's ordinal (cloze number), never from the
text, so importing the same deck again updates items in place. See docs/bank-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from certdrill.bank.importers.anki_records import FILTERED, LEARNING, MANUAL, Card, Collection, Note, Notetype, RevlogEntry
from certdrill.bank.importers.convert import NEEDS_REVIEW, Converted, clean, clean_tags, guid_id, placeholder
from certdrill.bank.importers.html_text import Rendered, render
from certdrill.review_log import Review

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
FIELD_REF = re.compile(r"\{\{\s*([#^/]?)\s*([^}]*?)\s*\}\}")
SPECIAL_FIELDS = frozenset({"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "CardID", "Type"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")
DELETION = "[…]"
MAX_DURATION_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class AnkiItem:
    converted: Converted
    deck: str  # the card's deck, full name
    card_id: int


def item_id(guid: str, suffix: str) -> str:
    """`anki-<hash of the GUID>-<card>`; a note certdrill exported (GUID `certdrill:<id>`) gets its id back."""
    return guid_id(guid, suffix)


def items_of(collection: Collection, *, source: str, media: set[str] | None = None) -> list[AnkiItem]:
    """One item per card, in note order; `media` (the package's media names, when it lists them)
    says which referenced files the package lacks."""
    notes = {note.id: note for note in collection.notes}
    out = []
    for position, card in enumerate(collection.cards, start=1):
        note = notes.get(card.note_id)
        notetype = collection.notetypes.get(note.notetype_id) if note else None
        if note is None or notetype is None:
            continue
        data, reasons = _card_item(note, notetype, card, source=source, media=media)
        if data is None:
            continue
        if reasons:
            data = {"id": data["id"], "type": data["type"], "status": NEEDS_REVIEW, **{k: v for k, v in data.items() if k not in ("id", "type")}}
        out.append(AnkiItem(Converted(data, position, tuple(reasons)), collection.decks.get(card.deck_id, "Default"), card.id))
    return out


def _card_item(note: Note, notetype: Notetype, card: Card, *, source: str, media: set[str] | None) -> tuple[dict | None, list[str]]:
    fields = dict(zip(notetype.fields, note.fields, strict=False))
    if notetype.cloze:
        sides = _cloze_sides(fields, notetype, card.ord + 1)
        suffix = f"c{card.ord + 1}"
    else:
        if card.ord >= len(notetype.templates):
            return None, []
        sides = _template_sides(fields, *notetype.templates[card.ord])
        suffix = str(card.ord + 1)
    front, back, extra = sides
    reasons: list[str] = []
    prompt = clean(front.text)
    if not prompt:
        reasons.append("empty question")
        prompt = "(The question is empty in the source.)"
    answer = clean(back.text)
    if not answer:
        reasons.append("no answer in the source")
        answer = "(No answer in the source.)"
    where = f"{source}: Anki note {clean(note.guid)[:100]}, card {card.ord + 1}"
    data: dict = {"id": item_id(note.guid, suffix), "type": "flashcard", "prompt": prompt, "back": answer}
    data["explanation"] = clean(extra.text) or placeholder(source)
    tags = clean_tags(note.tags)
    if tags:
        data["tags"] = tags
    data["sources"] = [{"note": where}]
    referenced = list(dict.fromkeys([*front.media, *back.media, *extra.media]))
    if referenced:
        missing = [name for name in referenced if media is not None and name not in media]
        reasons.append(f"refers to media: {', '.join(referenced)}" + (f" (not in the package: {', '.join(missing)})" if missing else ""))
    links = [url for url in dict.fromkeys([*front.links, *back.links, *extra.links]) if _URL.match(url) and len(url) <= 2000]
    if links:
        data["references"] = links
    return data, reasons


def _refs(template: str) -> list[tuple[str, str]]:
    """(filters, field name) for each field a template shows, in order; sections' markers count too."""
    out = []
    for marker, body in FIELD_REF.findall(template):
        if marker == "/":
            continue
        *filters, name = body.split(":")
        name = name.strip()
        pair = ("section", name) if marker else (":".join(filters), name)
        if name and name not in SPECIAL_FIELDS and pair not in out:
            out.append(pair)
    return out


def _joined(fields: dict[str, str], names: Iterable[str]) -> Rendered:
    parts = [render(fields[name]) for name in dict.fromkeys(names) if name in fields]
    shown = [p for p in parts if p.text]
    return Rendered("\n\n".join(p.text for p in shown), [m for p in parts for m in p.media], [u for p in parts for u in p.links])


def _template_sides(fields: dict[str, str], question: str, answer: str) -> tuple[Rendered, Rendered, Rendered]:
    """Front: the fields the question side shows; back: what only the answer side adds (a
    `{{type:Field}}` box on the front is an answer)."""
    front_refs = [(f, n) for f, n in _refs(question) if f != "section"]
    front = [n for f, n in front_refs if "type" not in f.split(":")]
    typed = [n for f, n in front_refs if "type" in f.split(":")]
    back = typed + [n for f, n in _refs(answer) if f != "section" and n not in front]
    return _joined(fields, front), _joined(fields, back), Rendered("")


def _cloze_sides(fields: dict[str, str], notetype: Notetype, number: int) -> tuple[Rendered, Rendered, Rendered]:
    """Front: the text with deletion `number` as […] (or its hint) and the others filled in; back:
    the deleted text; explanation: the whole text and the fields only the answer side shows."""
    question, answer = notetype.templates[0] if notetype.templates else ("", "")
    cloze_fields = [n for f, n in _refs(question) if "cloze" in f.split(":")] or list(notetype.fields[:1])
    text = "\n".join(fields.get(name, "") for name in cloze_fields)

    def hidden(match: re.Match[str]) -> str:
        if int(match.group(1)) != number:
            return match.group(2)
        return f"[{match.group(3)}]" if match.group(3) else DELETION

    front = render(CLOZE.sub(hidden, text))
    deleted = [render(m.group(2)) for m in CLOZE.finditer(text) if int(m.group(1)) == number]
    back = Rendered("; ".join(d.text for d in deleted if d.text), [m for d in deleted for m in d.media], [u for d in deleted for u in d.links])
    whole = render(CLOZE.sub(lambda m: m.group(2), text))
    others = _joined(fields, [n for f, n in _refs(answer) if f != "section" and n not in cloze_fields])
    extra = Rendered("\n\n".join(t for t in (whole.text, others.text) if t), [*whole.media, *others.media], [*whole.links, *others.links])
    return front, back, extra


# the review log


def answers(entries: Sequence[RevlogEntry]) -> list[RevlogEntry]:
    """One card's revlog entries (oldest first) that are answers FSRS learns from, as Anki picks
    them for a card's memory state: from the first learning step of the card's last run of learning
    steps (a card reset to new and learned again starts over), without cram answers in a filtered
    deck with rescheduling off (kind filtered, factor 0) and without entries that are no answer
    (set due date, reset, rescheduled: ease 0)."""
    first_learning = first_graded = None
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if _cramming(entry):
            continue
        graded = 1 <= entry.ease <= 4
        if graded and (entry.interval >= 1 or entry.interval <= -86400):
            first_graded = index
        if graded and entry.kind == LEARNING:
            first_learning = index
        elif entry.kind == MANUAL and entry.factor == 0:  # "reset to new"
            if first_learning is None and first_graded is None:
                return []
            break
        elif first_learning is not None:
            break
    start = first_learning if first_learning is not None else first_graded
    if start is None:
        return []
    return [e for e in entries[start:] if 1 <= e.ease <= 4 and not _cramming(e)]


def _cramming(entry: RevlogEntry) -> bool:
    return entry.kind == FILTERED and entry.factor == 0


def reviews_of(collection: Collection, item_for_card: dict[int, str], *, bank: str) -> list[Review]:
    """The answers of the cards that became items, as certdrill reviews: the rating is Anki's button
    (1 Again … 4 Easy), the time the entry's, the id `anki-<entry id>-<card id>` (so importing
    again adds nothing)."""
    by_card: dict[int, list[RevlogEntry]] = {}
    for entry in collection.revlog:
        if entry.card_id in item_for_card:
            by_card.setdefault(entry.card_id, []).append(entry)
    out = []
    for card_id, entries in by_card.items():
        entries.sort(key=lambda e: e.id)
        for entry in answers(entries):
            when = datetime.fromtimestamp(entry.id / 1000, UTC)
            duration = min(max(0, entry.taken_ms), MAX_DURATION_MS)
            out.append(Review(f"anki-{entry.id}-{card_id}", item_for_card[card_id], bank, when, entry.ease, None, None, duration, "import"))
    out.sort(key=lambda r: (r.reviewed_at, r.id))
    return out
