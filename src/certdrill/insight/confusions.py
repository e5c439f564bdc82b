"""What people mistake for what: pairs "picked X when it was Y" counted from the wrong choices actually picked.

Pairs are keyed by the choice texts, not by item, so the same distractor across items adds up.
True/false items are left out: "picked False when it was True" says nothing about the subject.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from certdrill.bank.items import Choices, Item
from certdrill.schedule.review_log import Review

CONFUSABLE = frozenset({"single", "multi"})  # the types whose wrong answers name a confusion


@dataclass(frozen=True)
class Confusion:
    picked: str  # the wrong choice, as first seen
    answer: str  # the right choice it was taken for
    count: int
    item_ids: tuple[str, ...]  # where it happened, most often first

    def to_json(self) -> dict:
        return {"picked": self.picked, "answer": self.answer, "count": self.count, "items": list(self.item_ids)}


def pairs(item: Item | Choices, chosen: Sequence[int]) -> list[tuple[int, int]]:
    """(wrong choice picked, right choice missed) for one answer; every wrong pick against every missed answer."""
    answer = item.answer
    if item.type not in CONFUSABLE or any(not 0 <= i < len(item.choices) for i in chosen):
        return []
    if len(chosen) == 1 and len(answer) == 1:  # a single choice: the common case, without sorting
        return [] if chosen[0] == answer[0] else [(chosen[0], answer[0])]
    picked_wrong = [i for i in sorted(set(chosen)) if i not in answer]
    missed = [i for i in answer if i not in chosen]
    return [(x, y) for x in picked_wrong for y in missed]


def confusions(items: Iterable[Item], reviews: Iterable[Review]) -> list[Confusion]:
    """All pairs, most frequent first (ties: more items first, then alphabetical)."""
    groups: dict[tuple[str, tuple[int, ...]], int] = {}
    for r in sorted(reviews, key=lambda r: (r.reviewed_at, r.id)):
        if r.correct is False and r.answer is not None:
            key = (r.item_id, tuple(r.answer))
            groups[key] = groups.get(key, 0) + 1
    return counted_confusions(items, ((item_id, answer, n) for (item_id, answer), n in groups.items()))


def counted_confusions(items: Iterable[Item | Choices], wrong: Iterable[tuple[str, Sequence[int], int]], limit: int | None = None) -> list[Confusion]:
    """`confusions` from wrong answers already counted: (item id, choices picked, times), in the order first given.

    A big log is counted by the store without reading every review; the pairs come out the same.
    With `limit`, only that many of the most frequent.
    """
    by_id = {item.id: item for item in items}
    counts: dict[tuple[str, str], dict[str, int]] = {}
    shown: dict[tuple[str, str], tuple[str, str]] = {}
    texts: dict[str, tuple[str, str]] = {}  # a choice as written: (stripped, its key); the same texts recur across items
    for item_id, chosen, times in wrong:
        item = by_id.get(item_id)
        if item is None:
            continue
        choices = item.choices
        for x, y in pairs(item, chosen):
            picked = texts.get(choices[x]) or texts.setdefault(choices[x], _text(choices[x]))
            answer = texts.get(choices[y]) or texts.setdefault(choices[y], _text(choices[y]))
            key = (picked[1], answer[1])
            per_item = counts.get(key)
            if per_item is None:
                per_item = counts[key] = {}
                shown[key] = (picked[0], answer[0])
            per_item[item_id] = per_item.get(item_id, 0) + times
    ranked = ((-sum(per_item.values()), -len(per_item), key) for key, per_item in counts.items())
    order = sorted(ranked) if limit is None else heapq.nsmallest(limit, ranked)
    return [Confusion(*shown[key], -total, tuple(sorted(counts[key], key=lambda i: -counts[key][i]))) for total, _, key in order]


def items_in(top: Sequence[Confusion], items: Iterable[Item]) -> list[Item]:
    """The items behind these confusions, in the confusions' order, each once."""
    by_id = {item.id: item for item in items}
    ordered = dict.fromkeys(item_id for c in top for item_id in c.item_ids if item_id in by_id)
    return [by_id[i] for i in ordered]


def _text(choice: str) -> tuple[str, str]:
    """A choice as shown (stripped), and as compared: whitespace runs as one space, case folded."""
    shown = choice.strip()
    return shown, _key(shown)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()
