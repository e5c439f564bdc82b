"""Leeches: items forgotten again and again once learned (Anki's name and threshold).

A lapse is an Again on a card in review (FSRS's count, kept on the card). An item is a leech
once its lapses reach the `leech-lapses` setting; it stops being one when an undo takes a lapse
back. What happens then is the `leech-action` setting: suspend it, or only tag it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from certdrill.schedule.controls import Lapsed, became_leech, is_leech

__all__ = ["Leech", "became_leech", "is_leech", "leeches"]


@dataclass(frozen=True)
class Leech:
    item_id: str
    lapses: int
    suspended: bool

    def to_json(self) -> dict[str, object]:
        return {"id": self.item_id, "lapses": self.lapses, "suspended": self.suspended}


def leeches(cards: Mapping[str, Lapsed], threshold: int, suspended: Mapping[str, object]) -> list[Leech]:
    """Every leech, most lapses first (then by id)."""
    found = [Leech(item_id, card.lapses, item_id in suspended) for item_id, card in cards.items() if is_leech(card, threshold)]
    return sorted(found, key=lambda leech: (-leech.lapses, leech.item_id))
