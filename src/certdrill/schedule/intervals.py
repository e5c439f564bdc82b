"""Anki's constraints on a passing interval, applied to the intervals fsrs computes (pure; no fsrs here).

fsrs gives each rating an interval from its own stability alone: a card with a stability under a
day stays on a 1-day interval whether it was answered Hard, Good or Easy, day after day. Anki, whose
FSRS the product matches, keeps the memory maths of fsrs and constrains the intervals in its
scheduler (rslib/src/scheduler/states/review.rs `passing_fsrs_review_intervals`, learning.rs and
relearning.rs `answer_easy`, fuzz.rs `minimum_review_fuzz_interval`):

- a review card: Hard ≥ 1 day, Good ≥ Hard + 1, Easy ≥ Good + 1 (each from fsrs's own interval for
  that rating, constrained in turn); and an interval that grew past the last one is never brought
  back to it by fuzz, one that fell just short of it (within the fuzz's reach) keeps it;
- a card leaving (re)learning: Hard and Good ≥ 1 day, Easy ≥ Good + 1.

Where Anki reads the last scheduled interval, certdrill reads the whole days elapsed since the last
review (the same for a review taken on its due day): the store keeps no scheduled interval apart
from a due date that fuzz and the exam cap moved, and the days elapsed are in the log itself, so
replay gives the same interval as the live review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

HARD, GOOD, EASY = 2, 3, 4  # the values of `scheduler.Rating` (which imports this module)
PASSING = (HARD, GOOD, EASY)


class Interval(NamedTuple):
    """A passing interval in whole days, before fuzz, and the least the fuzz may bring it to (a
    tuple: a full replay makes one for most reviews)."""

    days: int
    floor: int


def needed(rating: int, reviewing: bool) -> tuple[int, ...]:
    """The ratings whose fsrs interval `passing_interval` reads for `rating`."""
    if reviewing:
        return PASSING[: PASSING.index(rating) + 1]
    return (GOOD, EASY) if rating == EASY else (rating,)


def passing_interval(rating: int, fsrs_days: Mapping[int, int], *, elapsed_days: int | None, maximum: int) -> Interval:
    """The interval of a right answer (`rating` Hard, Good or Easy), from fsrs's intervals of the
    ratings `needed` (whole days). `elapsed_days` is None for a card leaving (re)learning, else the
    whole days since the review card's last review."""
    if elapsed_days is None:
        floor = 1 if rating != EASY else _clamp(fsrs_days[GOOD], 1, maximum) + 1
        return _bounded(fsrs_days[rating], floor, maximum)
    days = floor = 0  # inlined `_bounded` of each rating in turn: a rebuild takes this path for most cards
    for r in PASSING[: rating - 1]:
        own = fsrs_days[r]
        floor = max(_fuzz_floor(own, elapsed_days), 1 if r == HARD else days + 1)
        floor = 1 if floor < 1 else maximum if floor > maximum else floor
        days = floor if own < floor else maximum if own > maximum else own
    return Interval(days, floor)


def fuzz_spread(interval_days: float) -> int:
    """How many days certdrill's fuzz (`scheduler.fuzz_days`) may move an interval either way."""
    return 0 if interval_days < 3 else max(1, round(interval_days * 0.05))


def _fuzz_floor(days: int, last: int) -> int:
    """Anki's `minimum_review_fuzz_interval`: past the last interval, stay past it; just short of it
    (the fuzz could reach it), keep it; far short (a lower retention, new parameters), no floor."""
    if days > last:
        return last + 1
    if last <= days + fuzz_spread(days):
        return last
    return 0


def _bounded(days: int, floor: int, maximum: int) -> Interval:
    floor = _clamp(floor, 1, maximum)
    return Interval(_clamp(days, floor, maximum), floor)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))
