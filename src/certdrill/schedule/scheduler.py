"""The one module that speaks fsrs: review a card, replay a log, predict recall.

Fuzz is applied here from a seed derived from the review id instead of fsrs's global `random`,
so replaying the log always rebuilds exactly the cached state.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from functools import cache, lru_cache
from typing import Any, NamedTuple

from certdrill.clock import from_ms
from certdrill.schedule.intervals import fuzz_spread, needed, passing_interval


class Rating(IntEnum):
    """An answer's FSRS rating: the values of `fsrs.Rating`, without importing fsrs (start-up stays light)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


class State(IntEnum):
    """A card's FSRS state: the values of `fsrs.State`. An item never answered has no card, so no state."""

    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3


AGAIN, HARD, GOOD, EASY = Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY
RATINGS = {int(r): r for r in Rating}  # a stored int → its Rating, by a dict lookup (cheaper than calling the enum)
STATES = {int(s): s for s in State}
RATING_NAMES = {r: r.name.title() for r in Rating}
STATE_NAMES = {s: s.name.lower() for s in State}
DEFAULT_RETENTION = 0.9
EXAM_FINAL_DAYS = 7  # the run-up to an exam: reviews pulled before it are spread over these days
# Recall wanted on exam day. Above the everyday 0.9 because one last review of the items that would
# fall short is cheap: in benchmarks/simulate_exam_planner.py, about +3 points of exam-day recall
# for about 4% more reviews, where a target of 0.9 gains almost nothing (FSRS's own due dates keep it).
EXAM_DAY_RETENTION = 0.95
MATURE_DAYS = 21  # Anki's line: a card whose interval reached three weeks is "mature"
LEARNING_STATES = (State.LEARNING, State.RELEARNING)
# fsrs's own (re)learning steps (1 min, 10 min; 10 min) are same-day steps: the maintainers advise
# steps that can all be taken the same day, and FSRS models the long term from there. A step the
# learner only reaches half a day or more later was not taken the same day (the FSRS tutorial: steps
# over 12-14 hours rarely are): a right answer then graduates the card through fsrs's own
# "no steps" path, instead of Hard repeating the step every day (benchmarks/learning_steps.py).
STEP_EXPIRY = timedelta(hours=12)
RULES = "steps-expire-12h;anki-passing-intervals"  # names the rules above: a store cached under other rules is replayed once


@dataclass(frozen=True, slots=True)
class CardState:
    """What the scheduler knows of one item; absent for items never answered."""

    state: State
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """The part of a logged review that replay needs."""

    id: str
    reviewed_at: datetime
    rating: Rating


@dataclass(frozen=True)
class SchedulerConfig:
    desired_retention: float = DEFAULT_RETENTION
    parameters: tuple[float, ...] | None = None
    exam_date: datetime | None = None  # reviews are not scheduled past it when recall would drop too low
    exam_retention: float | None = None  # predicted recall wanted on exam day; None: EXAM_DAY_RETENTION
    step_expiry: timedelta | None = STEP_EXPIRY  # None: a step waits however long it takes (fsrs alone)

    @property
    def exam_target(self) -> float:
        """Never below the everyday target: the exam only ever asks for more."""
        return max(self.desired_retention, EXAM_DAY_RETENTION if self.exam_retention is None else self.exam_retention)


@lru_cache(maxsize=16)
def _fsrs_scheduler(desired_retention: float, parameters: tuple[float, ...] | None, steps: bool = True):
    import fsrs

    kwargs: dict[str, Any] = {"desired_retention": desired_retention, "enable_fuzzing": False}
    if parameters is not None:
        kwargs["parameters"] = parameters
    if not steps:
        kwargs["learning_steps"] = kwargs["relearning_steps"] = ()
    return fsrs.Scheduler(**kwargs)


def step_expired(state: int, last_review: datetime | None, rating: int, when: datetime, config: SchedulerConfig) -> bool:
    """A right answer to a card still in (re)learning whose step waited past `config.step_expiry`."""
    expiry = config.step_expiry
    return expiry is not None and rating != AGAIN and state in LEARNING_STATES and last_review is not None and when - last_review >= expiry


def _scheduler_for(state: int, last_review: datetime | None, rating: int, when: datetime, config: SchedulerConfig):
    return _fsrs_scheduler(config.desired_retention, config.parameters, not step_expired(state, last_review, rating, when, config))


def default_parameters() -> tuple[float, ...]:
    """fsrs's own defaults: what scheduling uses until `certdrill optimize` adopts a fit."""
    return tuple(_fsrs_scheduler(DEFAULT_RETENTION, None).parameters)


def parameter_bounds() -> list[tuple[float, float]]:
    """The range fsrs accepts for each parameter."""
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    return list(zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True))


@cache
def _card_class():
    import fsrs

    class Card(fsrs.Card):
        """fsrs's Card with a cheap copy: `review_card` copies its card on every review, and the
        generic `copy.copy` path was a quarter of a replay's time. The maths is untouched."""

        def __copy__(self):
            new = object.__new__(type(self))
            new.__dict__.update(self.__dict__)
            return new

    return Card


def _to_fsrs(card: CardState | None):
    import fsrs

    if card is None:
        return fsrs.Card(card_id=1)
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(int(card.state)),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def fuzz_days(interval_days: float, seed: str) -> int:
    """A deterministic spread of long intervals, so items learned together don't stay together."""
    spread = fuzz_spread(interval_days)
    return _hash(seed) % (2 * spread + 1) - spread if spread else 0


def fuzz_seed(review_id: str) -> str:
    """What the fuzz and the exam cap hash: a certdrill review id's time and sequence, not its random
    tail (`review_log.new_review_id`), so the same answers under a frozen clock schedule the same
    every run; any other id (from an import) whole."""
    return review_id[:16] if _OWN_ID.fullmatch(review_id) else review_id


_OWN_ID = re.compile(r"[0-9a-f]{32}")


def _hash(seed: str) -> int:
    return int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=4).digest(), "big")


def review(card: CardState | None, rating: Rating, when: datetime, review_id: str, config: SchedulerConfig = SchedulerConfig()) -> CardState:
    import fsrs

    scheduler = _scheduler_for(card.state, card.last_review, rating, when, config) if card else _fsrs_scheduler(config.desired_retention, config.parameters)
    before = _to_fsrs(card)
    new, _ = scheduler.review_card(before, fsrs.Rating(int(rating)), review_datetime=when)
    floor = constrain(before, new, rating, when, _graduating(config))
    reps = (card.reps if card else 0) + 1
    lapses = (card.lapses if card else 0) + (1 if rating == AGAIN and card is not None and card.state == State.REVIEW else 0)
    return _settle(new, when, review_id, reps, lapses, config, floor)


def constrain(before, new, rating: Rating, when: datetime, graduating) -> int:
    """Set the due date of `new` (fsrs's card after a right answer at `when` that ends in review) from
    Anki's constrained interval (`intervals.passing_interval`), its stability and difficulty left as
    fsrs computed them; returns the least number of days the fuzz may bring the interval to.

    The intervals of the other ratings it reads are fsrs's own: `before` answered with them by
    `graduating` (`_graduating`: fsrs without steps, so every right answer gets an interval).
    """
    if rating == AGAIN or new.state != State.REVIEW:
        return 1
    reviewing = before.state == State.REVIEW
    days: dict[int, int] = {rating: (new.due - when).days}
    for r in needed(rating, reviewing):
        if r != rating:
            days[r] = (graduating.review_card(before, _fsrs_rating(r), review_datetime=when)[0].due - when).days
    elapsed = (when - before.last_review).days if reviewing else None
    interval = passing_interval(rating, days, elapsed_days=elapsed, maximum=graduating.maximum_interval)
    new.due = when + timedelta(days=interval.days)
    return interval.floor


def _graduating(config: SchedulerConfig):
    """fsrs without steps: every right answer gets its interval from the stability fsrs computed."""
    return _fsrs_scheduler(config.desired_retention, config.parameters, False)


@cache
def _fsrs_rating(rating: int):
    import fsrs

    return fsrs.Rating(rating)


def _settle(new, when: datetime, review_id: str, reps: int, lapses: int, config: SchedulerConfig, floor: int = 1) -> CardState:
    """An fsrs card after a review at `when` → CardState, its due date spread by fuzz and capped for the exam."""
    due = _due(new, when, review_id, config, floor)
    return CardState(STATES[int(new.state)], new.step, new.stability, new.difficulty, due, new.last_review, reps, lapses)


def _due(new, when: datetime, review_id: str, config: SchedulerConfig, floor: int = 1) -> datetime:
    """A review card's due date: its interval moved by fuzz (never below `floor` days), then capped for the exam."""
    due = new.due
    if new.state == State.REVIEW:
        days = (due - when).days
        due = when + timedelta(days=max(floor, days + fuzz_days(days, fuzz_seed(review_id))))
        if config.exam_date is not None:
            due = cap_for_exam(new.stability, when, due, config, seed=fuzz_seed(review_id))
    return due


def cap_for_exam(stability: float | None, when: datetime, due: datetime, config: SchedulerConfig, seed: str = "") -> datetime:
    """Pull a review back before the exam when waiting would let recall on exam day fall below the target.

    The pulled-back review lands on one of the final EXAM_FINAL_DAYS days (picked from `seed`), not
    all on the eve of the exam, where a daily review limit would cut most of them; never sooner than
    a day after `when`, and never after the exam.
    """
    exam = config.exam_date
    if exam is None or stability is None or due <= exam or when >= exam:
        return due
    if recall_after(stability, (exam - when).total_seconds() / 86400, config) >= config.exam_target:
        return due
    latest = exam - timedelta(days=1)
    earliest = max(when + timedelta(days=1), exam - timedelta(days=EXAM_FINAL_DAYS))
    if earliest >= latest:
        return min(earliest, exam)
    return latest - timedelta(days=_hash(f"exam:{seed}") % ((latest - earliest).days + 1))


def earliest_capped_due(config: SchedulerConfig) -> datetime | None:
    """No due date that `cap_for_exam` moves lands before this (the start of the final days)."""
    return None if config.exam_date is None else config.exam_date - timedelta(days=EXAM_FINAL_DAYS)


def under_exam_date(card: CardState, config: SchedulerConfig, now: datetime) -> CardState:
    """The card as if reviewed under `config`'s exam date: a date set after the last review still caps its due.

    Once the exam has begun there is nothing left to aim at: cards keep their plain FSRS due dates.
    """
    if config.exam_date is None or now >= config.exam_date or card.state != State.REVIEW or card.last_review is None:
        return card
    due = cap_for_exam(card.stability, card.last_review, card.due, config, seed=card.last_review.isoformat())
    return card if due == card.due else with_due(card, due)


def recall_after(stability: float, days: float, config: SchedulerConfig = SchedulerConfig()) -> float:
    """FSRS's forgetting curve: predicted recall `days` after a review with this stability."""
    import fsrs

    scheduler = _fsrs_scheduler(config.desired_retention, config.parameters)
    card = fsrs.Card(card_id=1, state=fsrs.State.Review, stability=stability, difficulty=5.0)
    start = datetime(2000, 1, 1, tzinfo=UTC)
    card.last_review = start
    return scheduler.get_card_retrievability(card, start + timedelta(days=max(days, 0)))


def replay(events: list[ReviewEvent], config: SchedulerConfig = SchedulerConfig(), *, maturity: list[bool] | None = None) -> CardState | None:
    """Rebuild a card from its log, oldest first: the log is the truth, the cache is not.

    Equal to folding `review` over the log, but it keeps fsrs's own Card between steps: fsrs reads
    only stability, difficulty, state, step and last review from it, never the due date, so the
    fuzz and the exam cap (which only move `due`) are applied once, after the last review.
    `maturity`, if given, gets for each review (oldest first) whether the card was mature before
    it (`is_mature`): what it takes to count recalls of mature cards.
    """
    if not events:
        return None
    ordered = sorted(events, key=lambda e: (e.reviewed_at, e.id))
    card, lapses, floor = replay_fsrs(ordered, config, maturity=maturity)
    last = ordered[-1]
    return _settle(card, last.reviewed_at, last.id, len(ordered), lapses, config, floor)


def replay_fsrs(ordered: list[ReviewEvent], config: SchedulerConfig, *, maturity: list[bool] | None = None) -> tuple[Any, int, int]:
    """`replay`'s walk over a log in replay order: fsrs's card after the last review (its due date
    constrained, not fuzzed), the lapses, and the floor the fuzz keeps (`constrain`)."""
    import fsrs

    scheduler = _fsrs_scheduler(config.desired_retention, config.parameters)
    graduate = _graduating(config)
    ratings = {r: fsrs.Rating(int(r)) for r in Rating}
    card = before = _card_class()(card_id=1)
    lapses = 0
    previous = None
    floor: int | None = 1  # None: the last review's card not constrained yet (fsrs never reads a due date)
    for event in ordered:
        if maturity is not None:
            if previous is not None and floor is None and not _surely_mature(card, previous.reviewed_at, config):
                floor = constrain(before, card, previous.rating, previous.reviewed_at, graduate)
            maturity.append(previous is not None and (floor is None or _was_mature(card, previous, config, floor)))
        if event.rating == AGAIN and card.state == fsrs.State.Review and card.stability is not None:
            lapses += 1
        expired = step_expired(int(card.state), card.last_review, event.rating, event.reviewed_at, config)
        before = card
        card, _ = (graduate if expired else scheduler).review_card(before, ratings[event.rating], review_datetime=event.reviewed_at)
        floor = None
        previous = event
    if floor is None and previous is not None:
        floor = constrain(before, card, previous.rating, previous.reviewed_at, graduate)
    return card, lapses, floor or 1


def _surely_mature(card, when: datetime, config: SchedulerConfig) -> bool:
    """`_was_mature` before `constrain`: true whatever it does, as it only ever lengthens an interval
    (and a longer one is never moved by fuzz below a shorter one's reach)."""
    if card.state != State.REVIEW or config.exam_date is not None:
        return False
    days = (card.due - when).days
    return days - fuzz_spread(days) >= MATURE_DAYS


def _was_mature(card, reviewed: ReviewEvent, config: SchedulerConfig, floor: int) -> bool:
    """`is_mature` of the card fsrs gave for `reviewed` (constrained), settled; the fuzz hashed only when it could decide."""
    verdict = _maturity_bound(card, reviewed.reviewed_at, config, floor)
    if verdict is not None:
        return verdict
    return _due(card, reviewed.reviewed_at, reviewed.id, config, floor) - card.last_review >= timedelta(days=MATURE_DAYS)


def _maturity_bound(card, when: datetime, config: SchedulerConfig, floor: int) -> bool | None:
    """`_was_mature` where the fuzz cannot change it, else None (then it hashes the review's id)."""
    if card.state != State.REVIEW:
        return False
    days = (card.due - when).days
    spread = fuzz_spread(days)
    if max(floor, days + spread) < MATURE_DAYS:
        return False
    if max(floor, days - spread) >= MATURE_DAYS and config.exam_date is None:
        return True
    return None


def is_mature(card: CardState | None) -> bool:
    """In review with an interval of MATURE_DAYS or more."""
    return card is not None and card.state == State.REVIEW and card.last_review is not None and card.due - card.last_review >= timedelta(days=MATURE_DAYS)


def retrievability(card: CardState | None, now: datetime, config: SchedulerConfig = SchedulerConfig()) -> float:
    """Predicted probability of recall now; 0 for items never seen."""
    if card is None or card.last_review is None or card.stability is None:
        return 0.0
    scheduler = _fsrs_scheduler(config.desired_retention, config.parameters)
    return scheduler.get_card_retrievability(card, max(now, card.last_review))  # fsrs reads only last_review and stability


class _Memory(NamedTuple):
    """All fsrs's `get_card_retrievability` reads of a card."""

    last_review: datetime
    stability: float


def retrievabilities(memories: Iterable[tuple[float | None, int | None]], now: datetime, config: SchedulerConfig = SchedulerConfig()) -> list[float]:
    """`retrievability` of many cards given as (stability, last review in epoch ms), without building
    each `CardState`: what `stats` reads of 50,000 cards. The same fsrs call on the same values."""
    recall = _fsrs_scheduler(config.desired_retention, config.parameters).get_card_retrievability
    out = []
    for stability, last_ms in memories:
        if last_ms is None or stability is None:
            out.append(0.0)
            continue
        last = from_ms(last_ms)
        out.append(recall(_Memory(last, stability), max(now, last)))  # fsrs reads only these two
    return out


def with_due(card: CardState, due: datetime) -> CardState:
    return replace(card, due=due)
