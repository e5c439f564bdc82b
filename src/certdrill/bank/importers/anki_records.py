"""What an Anki collection holds, as plain records: the reader in `store.anki_collection` fills
them, `anki_notes` maps them to bank items and reviews.

Anki 2.1.50+ keeps note types, templates and the media list as protobuf messages; `fields_of`
reads the few scalar fields certdrill needs from that wire format (varints and length-delimited
values) without the message definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class RevlogKind(IntEnum):
    """`revlog.type`: what kind of entry Anki logged."""

    LEARNING = 0  # a learning step
    REVIEW = 1  # an answer in review
    RELEARNING = 2  # a step after a lapse
    FILTERED = 3  # an answer in a filtered deck (factor 0: cramming, rescheduling off)
    MANUAL = 4  # set due date, or (factor 0) reset to new: no answer
    RESCHEDULED = 5  # rescheduled when the parameters changed: no answer


LEARNING, REVIEW, RELEARNING = RevlogKind.LEARNING, RevlogKind.REVIEW, RevlogKind.RELEARNING
FILTERED, MANUAL, RESCHEDULED = RevlogKind.FILTERED, RevlogKind.MANUAL, RevlogKind.RESCHEDULED


@dataclass(frozen=True, slots=True)
class Notetype:
    id: int
    name: str
    cloze: bool
    fields: tuple[str, ...]  # field names, by ordinal
    templates: tuple[tuple[str, str], ...]  # (question format, answer format), by ordinal


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    guid: str
    notetype_id: int
    fields: tuple[str, ...]  # HTML, by ordinal
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    note_id: int
    deck_id: int
    ord: int  # template ordinal; for a cloze note, the cloze number less one


@dataclass(frozen=True, slots=True)
class RevlogEntry:
    id: int  # the answer's time in milliseconds since the epoch
    card_id: int
    ease: int  # the button: 1 Again … 4 Easy; 0 for entries that are no answer
    interval: int  # days when positive, seconds when negative
    factor: int
    taken_ms: int
    kind: int  # a RevlogKind value (an Anki to come may log others)


@dataclass(frozen=True)
class Collection:
    notetypes: dict[int, Notetype]
    decks: dict[int, str]  # id → full name, levels joined by "::"
    notes: list[Note]
    cards: list[Card]
    revlog: list[RevlogEntry]


class WireError(ValueError):
    """A protobuf blob that does not parse."""


def _varint(blob: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(blob) or shift > 63:
            raise WireError("truncated varint")
        byte = blob[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fields_of(blob: bytes) -> list[tuple[int, int | bytes]]:
    """A message's top-level fields in order: (number, int for varints or bytes for length-delimited
    values); fixed 32/64-bit fields are skipped."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(blob):
        key, pos = _varint(blob, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(blob, pos)
            out.append((number, value))
        elif wire == 2:
            size, pos = _varint(blob, pos)
            if pos + size > len(blob):
                raise WireError("truncated field")
            out.append((number, blob[pos : pos + size]))
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise WireError(f"unsupported wire type {wire}")
    return out


def first(blob: bytes, number: int, default: int | bytes) -> int | bytes:
    return next((value for n, value in fields_of(blob) if n == number), default)
