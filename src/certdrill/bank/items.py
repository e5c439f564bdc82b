"""The validated bank as plain data: what every other module works with.

Items and sources are named tuples rather than dataclasses: a big bank holds tens of thousands,
and the bank cache rebuilds them through tuple's C constructor, several times faster than a
frozen dataclass's `__setstate__` (see benchmarks/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

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


@dataclass(frozen=True)
class Bank:
    name: str
    title: str
    items: tuple[Item, ...]
    topics: tuple[Topic, ...]
    weights: dict[str, float] = field(default_factory=dict)
    minutes_per_question: float = 2.0
    description: str = ""

    def by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    def topic_title(self, slug: str) -> str:
        for topic in self.topics:
            if topic.slug == slug:
                return topic.title
        return slug
