"""What people mistake for what: pairs "picked X when it was Y" counted from the wrong choices actually picked.

Pairs are keyed by the choice texts, not by item, so the same distractor across items adds up.
True/false items are left out: "picked False when it was True" says nothing about the subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from certdrill.bank.items import Item
from certdrill.review_log import Review


@dataclass(frozen=True)
class Confusion:
    picked: str  # the wrong choice, as first seen
    answer: str  # the right choice it was taken for
    count: int
    item_ids: tuple[str, ...]  # where it happened, most often first

    def to_json(self) -> dict:
        return {"picked": self.picked, "answer": self.answer, "count": self.count, "items": list(self.item_ids)}


def pairs(item: Item, chosen: Sequence[int]) -> list[tuple[int, int]]:
    """(wrong choice picked, right choice missed) for one answer; every wrong pick against every missed answer."""
    if item.type not in ("single", "multi") or any(not 0 <= i < len(item.choices) for i in chosen):
        return []
    picked_wrong = [i for i in sorted(set(chosen)) if i not in item.answer]
    missed = [i for i in item.answer if i not in chosen]
    return [(x, y) for x in picked_wrong for y in missed]


def confusions(items: Iterable[Item], reviews: Iterable[Review]) -> list[Confusion]:
    """All pairs, most frequent first (ties: more items first, then alphabetical)."""
    by_id = {item.id: item for item in items}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        item = by_id.get(r.item_id)
        if item is None or r.correct is not False or r.answer is None:
            continue
        for x, y in pairs(item, r.answer):
            picked, answer = item.choices[x].strip(), item.choices[y].strip()
            key = (_key(picked), _key(answer))
            shown.setdefault(key, (picked, answer))
            per_item = counts.setdefault(key, {})
            per_item[item.id] = per_item.get(item.id, 0) + 1
    found = [Confusion(*shown[key], sum(per_item.values()), tuple(sorted(per_item, key=lambda i: -per_item[i]))) for key, per_item in counts.items()]
    found.sort(key=lambda c: (-c.count, -len(c.item_ids), _key(c.picked), _key(c.answer)))
    return found


def items_in(top: Sequence[Confusion], items: Iterable[Item]) -> list[Item]:
    """The items behind these confusions, in the confusions' order, each once."""
    by_id = {item.id: item for item in items}
    ordered = dict.fromkeys(item_id for c in top for item_id in c.item_ids if item_id in by_id)
    return [by_id[i] for i in ordered]


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()
