"""What `cram` asks: items that are not due, most at risk first. A pure function of the cards.

Cram answers are logged with kind `cram` and scheduled like any answer: FSRS takes an early review
through its elapsed time (recall still high, so a small stability gain), and benchmarks/cram.py
shows that cramming before an exam this way does not lower later retention (see its README table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from certdrill.bank.items import Item
from certdrill.schedule.scheduler import CardState

DEFAULT_COUNT = 20


def cram_items(
    items: Sequence[Item],
    cards: dict[str, CardState],
    *,
    day_end: datetime,
    recall: Callable[[CardState], float],
    count: int = DEFAULT_COUNT,
    due_within: float | None = None,
    weakest: bool = False,
) -> list[Item]:
    """Items answered before and not due today (due at or after `day_end`), at most `count`.

    Most at risk first: lowest predicted recall now. `due_within`: only those due within that many
    days after today. `weakest`: lowest stability first instead (the memories that fade fastest,
    even when just reviewed). Items never answered are left to `study`, which introduces them.
    """
    horizon = None if due_within is None else day_end + timedelta(days=due_within)
    ahead = [i for i in items if i.id in cards and cards[i.id].due >= day_end and (horizon is None or cards[i.id].due < horizon)]
    if weakest:
        ahead.sort(key=lambda i: (cards[i.id].stability or 0.0, recall(cards[i.id]), i.id))
    else:
        ahead.sort(key=lambda i: (recall(cards[i.id]), cards[i.id].due, i.id))
    return ahead[:count]
