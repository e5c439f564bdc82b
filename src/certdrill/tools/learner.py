"""A simulated learner with a known memory, for judging `certdrill optimize` (tests and benchmarks).

The learner's memory is FSRS-6 with parameters we choose (`truth`): fsrs tracks the memory state
of every item under them, and each answer is right with the probability fsrs gives for it. The
learner studies as certdrill schedules (its own FSRS with the parameters in use), a session a day
at a random hour. A fit to this log can then be checked against the parameters that made it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from certdrill.review_log import Review
from certdrill.scheduler import AGAIN, EASY, GOOD, HARD, CardState, SchedulerConfig, review

FIRST_RATINGS = ((AGAIN, 0.3), (HARD, 0.1), (GOOD, 0.5), (EASY, 0.1))  # a new item, before any memory of it


@dataclass(frozen=True)
class Learner:
    truth: tuple[float, ...]  # FSRS-6 parameters of this learner's memory
    seed: int = 1

    def study(self, items: int, days: int, start: datetime, *, config: SchedulerConfig = SchedulerConfig(), bank: str = "sim") -> list[Review]:
        """Every review of `items` items introduced over the first half of `days` days, in time order."""
        import fsrs

        rng = random.Random(self.seed)
        memory = fsrs.Scheduler(parameters=self.truth, enable_fuzzing=False)
        ratings = {r: fsrs.Rating(r) for r in (AGAIN, HARD, GOOD, EASY)}
        end = start + timedelta(days=days)
        reviews: list[Review] = []
        for n in range(items):
            item_id = f"sim-{n:05d}"
            at = start + timedelta(days=rng.randrange(max(1, days // 2)), hours=rng.uniform(8, 22))
            known, card = fsrs.Card(card_id=n + 1), None
            while at < end:
                if card is None:
                    rating = rng.choices([r for r, _ in FIRST_RATINGS], [p for _, p in FIRST_RATINGS])[0]
                else:
                    rating = GOOD if rng.random() < memory.get_card_retrievability(known, at) else AGAIN
                rid = f"{int(at.timestamp() * 1000):012x}{len(reviews):08x}"
                reviews.append(Review(rid, item_id, bank, at, rating, None, None, 10_000, "study", None))
                known, _ = memory.review_card(known, ratings[rating], review_datetime=at)
                card = review(card, rating, at, rid, config)
                at = _next_visit(card, at, rng)
        reviews.sort(key=lambda r: (r.reviewed_at, r.id))
        return reviews


def _next_visit(card: CardState, at: datetime, rng: random.Random) -> datetime:
    """Learning steps come back within the session; a due date in days, at some hour of that day."""
    if card.due - at < timedelta(hours=1):
        return card.due
    return card.due.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=rng.uniform(8, 22))


def perturbed(parameters: tuple[float, ...], spread: float, seed: int) -> tuple[float, ...]:
    """Each parameter times a seeded log-normal factor, kept within fsrs's bounds: a learner unlike the average."""
    import math

    from certdrill.scheduler import parameter_bounds

    rng = random.Random(seed)
    return tuple(min(max(w * math.exp(rng.gauss(0, spread)), lo), hi) for w, (lo, hi) in zip(parameters, parameter_bounds(), strict=True))
