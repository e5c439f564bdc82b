"""Anki notes → bank items: pure functions over the records `store.anki_collection` reads (the
review log becomes reviews in `exchange.anki_history`).

Every card becomes one flashcard: a Basic note gives one, a reversed note one per direction, a
cloze note one per deletion (the deletion shown as `[…]`, or `[hint]`, the deleted text on the
back). The id comes from the note's GUID and the card's ordinal (cloze number), never from the
text, so importing the same deck again updates items in place. See docs/bank-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from certdrill.bank.importers.anki_records import Card, Collection, Note, Notetype
from certdrill.bank.importers.convert import NEEDS_REVIEW, Converted, clean, clean_tags, guid_id, placeholder
from certdrill.bank.importers.html_text import Rendered, render

CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
FIELD_REF = re.compile(r"\{\{\s*([#^/]?)\s*([^}]*?)\s*\}\}")
SPECIAL_FIELDS = frozenset({"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "CardID", "Type"})
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")
DELETION = "[…]"


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
