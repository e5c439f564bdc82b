"""Replay many cards at once: the memory states of every review from fsrs-rs in one batch, the rest
from the scheduler's own code. The same cards as `scheduler.replay`, about 20× faster.

fsrs-rs (the Rust FSRS inside Anki; the optional `fsrs-rs-python` wheel) computes stability and
difficulty from (rating, whole days since the previous review) exactly as fsrs does, but in
float32: its states are fsrs's within STATE_TOLERANCE (relative). Everything else is what replay
does, by the same code: the learning-step states are fsrs's own transitions (`_Steps` asks fsrs's
scheduler for them), the intervals fsrs's `_next_interval` of those states, constrained by
`intervals.passing_interval`, spread by `scheduler._due`'s fuzz and exam cap; maturity is
`scheduler._was_mature`. A decision that float32 could tip (an interval whose rounding, or an exam
cap whose recall, changes within ±GUARD of the stability) is not taken here: that card is left to
`scheduler.replay` (None), as is a card whose log fsrs-rs's float32 cannot follow within the
tolerance (a lapse on a stability under ILL_CONDITIONED) or whose stability reaches fsrs-rs's cap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from certdrill.clock import from_ms
from certdrill.schedule.intervals import needed, passing_interval
from certdrill.schedule.scheduler import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    LEARNING_STATES,
    MATURE_DAYS,
    CardState,
    Rating,
    ReviewEvent,
    SchedulerConfig,
    State,
    _due,
    _fsrs_scheduler,
    _graduating,
    _settle,
    _was_mature,
)

STATE_TOLERANCE = 1e-5  # |fsrs-rs − fsrs| / fsrs for stability and difficulty (float32; tests hold it on random and real logs)
GUARD = 2 * STATE_TOLERANCE  # a decision taken here must hold for every stability within ±GUARD of fsrs-rs's
ILL_CONDITIONED = 0.1  # fsrs's forgetting formula takes (S + 1) ** w13 − 1: in float32 it loses digits as S → 0
FSRS_RS_MAX_STABILITY = 36500.0  # fsrs-rs caps stability here; fsrs does not
DAY_MS = 86_400_000
_NAMES: dict[int, str] = {HARD: "hard", GOOD: "good", EASY: "easy"}


def available() -> bool:
    """Whether fsrs-rs is installed (the `optimize` extra); without it every card replays in Python."""
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=8)
def batch_for(config: SchedulerConfig, *, at: int = 0, rid: int = 1, rating: int = 2) -> Batch | None:
    """A `Batch` for this config, or None without fsrs-rs."""
    return Batch(config, at=at, rid=rid, rating=rating) if available() else None


@dataclass(frozen=True, slots=True)
class Replayed:
    card: CardState
    mature: list[int]  # positions in the log of the reviews asked while the card was mature (`scheduler.is_mature`)


class _Outcome:
    """The attributes of an fsrs Card that `_settle`, `_due` and `_was_mature` read."""

    __slots__ = ("difficulty", "due", "last_review", "stability", "state", "step")

    def __init__(self, state: int, step: int | None, stability: float, difficulty: float, due: datetime, last_review: datetime):
        self.state, self.step, self.stability, self.difficulty, self.due, self.last_review = state, step, stability, difficulty, due, last_review


class _Steps:
    """fsrs's learning-step transitions as a table: (state, step) × rating × step expired → the next
    (state, step) and, outside review, the due offset. fsrs's transitions read nothing else (not
    stability, not time), so each is asked of fsrs's own scheduler once, on a probe card."""

    NEW = 0  # the position of a card never answered

    def __init__(self, config: SchedulerConfig):
        import fsrs

        self.scheduler = _fsrs_scheduler(config.desired_retention, config.parameters)
        self.graduate = _graduating(config)
        self.positions: list[tuple[int, int | None, bool]] = [(int(State.LEARNING), 0, True)]  # (state, step, never answered)
        self.table: list[list[tuple[int, int, int | None, timedelta | None]]] = []
        while len(self.table) < len(self.positions):
            self.table.append(
                [self._probe(fsrs, *self.positions[len(self.table)], rating, expired) for expired in (False, True) for rating in (AGAIN, HARD, GOOD, EASY)]
            )

    def _probe(self, fsrs: Any, state: int, step: int | None, fresh: bool, rating: int, expired: bool) -> tuple[int, int, int | None, timedelta | None]:
        start = datetime(2001, 1, 1, tzinfo=UTC)
        card = fsrs.Card(card_id=1, state=fsrs.State(state), step=step, due=start)
        if not fresh:
            card.stability, card.difficulty, card.last_review = 5.0, 5.0, start
        when = start + (timedelta(hours=13) if expired else timedelta(minutes=1))
        new, _ = (self.graduate if expired else self.scheduler).review_card(card, fsrs.Rating(rating), review_datetime=when)
        key = (int(new.state), new.step, False)
        if key not in self.positions:
            self.positions.append(key)
        offset = None if new.state == fsrs.State.Review else new.due - when
        return self.positions.index(key), int(new.state), new.step, offset


@lru_cache(maxsize=8)
def _steps(config: SchedulerConfig) -> _Steps:
    return _Steps(config)


class _Intervals:
    """fsrs's `_next_interval`, asked only where float32 cannot tip it: None within ±GUARD of a change."""

    def __init__(self, config: SchedulerConfig):
        graduate = _graduating(config)
        self.maximum = graduate.maximum_interval
        self.fsrs_interval: Callable[[float], int] = lambda s: graduate._next_interval(stability=s)
        # stabilities below LOW[d] give at most d days, at or above HIGH[d] at least d (bracketing fsrs's own thresholds)
        self.low = {d: self._bracket(d)[0] for d in (MATURE_DAYS - 3,)}
        self.high = {d: self._bracket(d)[1] for d in (MATURE_DAYS + 1,)}

    def _bracket(self, days: int) -> tuple[float, float]:
        """(a, b): a stability giving fewer than `days` days and one giving `days` or more, close together."""
        a, b = 1e-3, 1e5
        for _ in range(200):
            mid = (a + b) / 2
            if self.fsrs_interval(mid) >= days:
                b = mid
            else:
                a = mid
        return a, b

    def of(self, stability: float) -> int | None:
        low = self.fsrs_interval(stability * (1 - GUARD))
        return low if low == self.fsrs_interval(stability * (1 + GUARD)) else None


class Batch:
    """Replays under one config; `logs` are rows with the review time (ms), id and rating at the
    positions `at`, `rid` and `rating`, in replay order (time, then id)."""

    def __init__(self, config: SchedulerConfig, *, at: int = 0, rid: int = 1, rating: int = 2):
        import fsrs_rs_python as fsrs_rs

        self.config = config
        self.at, self.rid, self.rating = at, rid, rating
        parameters = config.parameters if config.parameters is not None else _fsrs_scheduler(config.desired_retention, None).parameters
        self.model = fsrs_rs.FSRS(list(parameters))
        self.fsrs_rs = fsrs_rs
        self.steps = _steps(config)
        self.intervals = _intervals(config)
        self.expiry_ms = None if config.step_expiry is None else config.step_expiry // timedelta(milliseconds=1)

    def replay(self, logs: Sequence[Sequence[Sequence[Any]]]) -> list[Replayed | None]:
        """Each log's card and mature reviews, or None where `scheduler.replay` must decide."""
        review, item = self.fsrs_rs.FSRSReview, self.fsrs_rs.FSRSItem
        at, rating = self.at, self.rating
        items, days = [], []
        for log in logs:
            previous = log[0][at]
            gaps = [0]
            reviews = [review(log[0][rating], 0)]
            for row in log[1:]:
                t = row[at]
                gap = (t - previous) // DAY_MS
                gaps.append(gap)
                reviews.append(review(row[rating], gap))
                previous = t
            items.append(item(reviews))
            days.append(gaps)
        histories = self.model.historical_memory_state_batch(items)
        return [self._walk(log, gaps, states) for log, gaps, states in zip(logs, days, histories, strict=True)]

    def _walk(self, log: Sequence[Sequence[Any]], gaps: list[int], states: list) -> Replayed | None:
        """One card along its log: fsrs's step transitions, lapses, and whether each review found the card mature."""
        at, rating_at = self.at, self.rating
        table = self.steps.table
        expiry = self.expiry_ms
        low, high = self.intervals.low[MATURE_DAYS - 3], self.intervals.high[MATURE_DAYS + 1]
        sure_mature = self.config.exam_date is None
        review_state, learning = int(State.REVIEW), LEARNING_STATES
        position, state, step, offset = _Steps.NEW, int(State.LEARNING), 0, None
        lapses = 0
        mature: list[int] = []
        previous_at = 0
        reviewing = False  # the state before the review just walked was review
        for i, row in enumerate(log):
            t, r = row[at], row[rating_at]
            expired = False
            if i:
                if state == review_state:  # was the card mature before this review?
                    s = states[i - 1].stability
                    if s * (1 - GUARD) >= high and sure_mature:
                        mature.append(i)
                    elif not (s * (1 + GUARD) < low and (not reviewing or gaps[i - 1] <= MATURE_DAYS - 4)):
                        verdict = self._mature(log, gaps, states, i - 1, reviewing)
                        if verdict is None:
                            return None
                        if verdict:
                            mature.append(i)
                    if r == AGAIN:
                        lapses += 1
                if r == AGAIN and gaps[i] and states[i - 1].stability < ILL_CONDITIONED:
                    return None
                expired = expiry is not None and r != AGAIN and state in learning and t - previous_at >= expiry
            reviewing = state == review_state
            position, state, step, offset = table[position][r - 1 + 4 * expired]
            previous_at = t
        return self._final(log, gaps, states, (state, step, offset), reviewing, lapses, mature)

    def _interval(self, log: Sequence[Sequence[Any]], gaps: list[int], states: list, i: int, reviewing: bool) -> tuple[int, int] | None:
        """(days, floor) of review i, which left the card in review: `scheduler.constrain`'s interval
        from fsrs's intervals of the states fsrs-rs gives (that rating's and, where Anki's rules
        read them, the others' from the state before), or None where float32 could tip one."""
        rating = log[i][self.rating]
        own = self.intervals.of(states[i].stability)
        if own is None or states[i].stability >= FSRS_RS_MAX_STABILITY * (1 - GUARD):
            return None
        if rating == AGAIN:
            return own, 1
        days = {rating: own}
        wanted = [r for r in needed(rating, reviewing) if r != rating]
        if wanted:
            others = self.model.next_states(states[i - 1] if i else None, self.config.desired_retention, gaps[i])
            for r in wanted:
                other = self.intervals.of(getattr(others, _NAMES[r]).memory.stability)
                if other is None:
                    return None
                days[r] = other
        interval = passing_interval(rating, days, elapsed_days=gaps[i] if reviewing else None, maximum=self.intervals.maximum)
        return interval.days, interval.floor

    def _mature(self, log: Sequence[Sequence[Any]], gaps: list[int], states: list, i: int, reviewing: bool) -> bool | None:
        """`scheduler._was_mature` of the card review i left in review, asked for the next review."""
        interval = self._interval(log, gaps, states, i, reviewing)
        if interval is None:
            return None
        days, floor = interval
        row = log[i]
        when = from_ms(row[self.at])
        event = ReviewEvent(row[self.rid], when, Rating(row[self.rating]))
        verdicts = {
            _was_mature(_Outcome(int(State.REVIEW), None, stability, 0.0, when + timedelta(days=days), when), event, self.config, floor)
            for stability in self._stabilities(states[i].stability)
        }
        return verdicts.pop() if len(verdicts) == 1 else None

    def _stabilities(self, stability: float) -> tuple[float, ...]:
        """The stabilities an exam cap must decide alike (only the exam cap reads it past the interval)."""
        return (stability,) if self.config.exam_date is None else (stability * (1 - GUARD), stability * (1 + GUARD))

    def _final(self, log, gaps: list[int], states: list, after: tuple, reviewing: bool, lapses: int, mature: list[int]) -> Replayed | None:
        """The card after the last review: `scheduler._settle` of its state, as replay ends."""
        state, step, offset = after
        last = log[-1]
        when = from_ms(last[self.at])
        memory = states[-1]
        if state == State.REVIEW:
            interval = self._interval(log, gaps, states, len(log) - 1, reviewing)
            if interval is None:
                return None
            days, floor = interval
            due = when + timedelta(days=days)
        else:
            due, floor = when + offset, 1
        new = _Outcome(state, step, memory.stability, memory.difficulty, due, when)
        card = _settle(new, when, last[self.rid], len(log), lapses, self.config, floor)
        if state == State.REVIEW and self.config.exam_date is not None:
            for stability in self._stabilities(memory.stability):
                new.stability = stability
                new.due = due
                if _due(new, when, last[self.rid], self.config, floor) != card.due:
                    return None
        return Replayed(card, mature)


@lru_cache(maxsize=8)
def _intervals(config: SchedulerConfig) -> _Intervals:
    return _Intervals(config)
