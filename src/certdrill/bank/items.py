"""The validated bank as plain data: what every other module works with.

Items and sources are named tuples rather than dataclasses: a big bank holds tens of thousands,
and the bank cache rebuilds them through tuple's C constructor, several times faster than a
frozen dataclass's `__setstate__` (see benchmarks/README.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

ItemType = Literal["single", "multi", "truefalse", "flashcard"]
ItemStatus = Literal["active", "needs-review"]  # needs-review: imported, not trusted yet; asked only with --include-unreviewed
SHUFFLED: frozenset[ItemType] = frozenset({"single", "multi"})  # the types whose choices are shown in a shuffled order
LETTERS = "abcdefgh"
TRUE_FALSE = ("True", "False")


class Source(NamedTuple):
    note: str
    quote: str | None = None


class Item(NamedTuple):
    id: str
    type: ItemType
    topic: str
    prompt: str
    choices: tuple[str, ...]  # file order; ("True", "False") for truefalse; () for flashcards
    answer: tuple[int, ...]  # 0-based indices into choices; () for flashcards
    explanation: str
    back: str | None = None
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    status: ItemStatus = "active"
    previous_ids: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    rationales: tuple[str | None, ...] = ()  # why each choice is wrong, by choice index; () when none is given
    references: tuple[str, ...] = ()  # documentation pages that support the key
    checked: str | None = None  # ISO date the facts were last checked (the item's, else its topic's)

    def rationale(self, index: int) -> str | None:
        return self.rationales[index] if index < len(self.rationales) else None

    @property
    def is_choice(self) -> bool:
        return self.type != "flashcard"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "topic": self.topic,
            "prompt": self.prompt,
            "choices": list(self.choices),
            "answer": list(self.answer),
            "back": self.back,
            "explanation": self.explanation,
            "sources": [{"note": s.note, "quote": s.quote} for s in self.sources],
            "tags": list(self.tags),
            "status": self.status,
            "rationales": [self.rationale(i) for i in range(len(self.choices))] if self.rationales else [],
            "references": list(self.references),
            "checked": self.checked,
        }


@dataclass(frozen=True, slots=True)
class Topic:
    slug: str
    title: str
    file: str


class Entry(NamedTuple):
    """What choosing today's questions needs of an item, without its text: a big bank's entries
    load in a fraction of the time its items take (`Bank.entries`, `Bank.load`)."""

    id: str
    type: ItemType
    topic: str
    status: ItemStatus
    previous_ids: tuple[str, ...]
    file: str
    line: int
    slot: int  # its place among its file's items

    @classmethod
    def of(cls, item: Item, slot: int) -> Entry:
        return cls(item.id, item.type, item.topic, item.status, item.previous_ids, item.file, item.line, slot)


class Choices(NamedTuple):
    """What counting confusions needs of an item: its choices and key, without its prompt or explanation."""

    id: str
    type: ItemType
    choices: tuple[str, ...]
    answer: tuple[int, ...]

    @classmethod
    def of(cls, item: Item) -> Choices:
        return cls(item.id, item.type, item.choices, item.answer)


class Shelf(Protocol):
    """Where a cached bank's items are read from, only when asked for (bank/parts.py)."""

    entries: tuple[Entry, ...]

    def load(self, entries: Sequence[Entry]) -> list[Item]: ...

    def load_all(self) -> tuple[Item, ...]: ...

    def choices(self, entries: Sequence[Entry]) -> list[Choices]: ...


class Bank:
    """A validated bank. Its items are read from the cache only when first needed (`items`), or
    only those asked for (`load`): a session reads the entries of all and the text of a few."""

    __slots__ = ("_items", "_shelf", "description", "minutes_per_question", "name", "title", "topics", "weights")

    def __init__(
        self,
        name: str,
        title: str,
        items: tuple[Item, ...] | None = None,
        topics: tuple[Topic, ...] = (),
        weights: dict[str, float] | None = None,
        minutes_per_question: float = 2.0,
        description: str = "",
        *,
        shelf: Shelf | None = None,
    ):
        self.name, self.title, self.topics, self.description = name, title, topics, description
        self.weights = {} if weights is None else weights
        self.minutes_per_question = minutes_per_question
        self._items = items if items is not None or shelf is not None else ()
        self._shelf = shelf

    @property
    def items(self) -> tuple[Item, ...]:
        if self._items is None:
            assert self._shelf is not None
            self._items = self._shelf.load_all()
        return self._items

    @property
    def entries(self) -> Sequence[Item | Entry]:
        """Every item's id, type, topic, status, previous ids, file and line, in bank order."""
        if self._items is not None or self._shelf is None:
            return self.items
        return self._shelf.entries

    def load(self, entries: Sequence[Item | Entry]) -> list[Item]:
        """The items of these entries, in the same order (an item is its own entry)."""
        wanted = [e for e in entries if isinstance(e, Entry)]
        if not wanted:
            return [e for e in entries if isinstance(e, Item)]
        if self._items is not None or self._shelf is None:
            by_id = self.by_id()
            return [by_id[e.id] for e in entries]
        loaded = iter(self._shelf.load(wanted))
        return [next(loaded) if isinstance(e, Entry) else e for e in entries]

    def choices(self, entries: Sequence[Item | Entry]) -> list[Choices]:
        """The choices and key of these entries' items, in the same order, without reading their other text."""
        if self._items is not None or self._shelf is None or not all(isinstance(e, Entry) for e in entries):
            return [Choices.of(item) for item in self.load(entries)]
        return self._shelf.choices([e for e in entries if isinstance(e, Entry)])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bank):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def _fields(self) -> tuple:
        return (self.name, self.title, self.items, self.topics, self.weights, self.minutes_per_question, self.description)

    def __repr__(self) -> str:
        return f"Bank(name={self.name!r}, title={self.title!r}, {len(self.entries)} items, {len(self.topics)} topics)"

    def by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    def topic_title(self, slug: str) -> str:
        for topic in self.topics:
            if topic.slug == slug:
                return topic.title
        return slug
