"""Replay many cards at once: the memory states of every review from fsrs-rs in one batch, the rest
from the scheduler's own code. The same cards as `scheduler.replay` (a rebuild of a million
reviews: 4× faster, benchmarks/README.md).

fsrs-rs (the Rust FSRS inside Anki; the optional `fsrs-rs-python` wheel) computes stability and
difficulty from (rating, whole days since the previous review) exactly as fsrs does, but in
float32: its states are fsrs's within STATE_TOLERANCE (relative). Everything else is what replay
does, by the same code: the learning-step states are fsrs's own transitions (`_Steps` asks fsrs's
scheduler for them), the intervals fsrs's `_next_interval` of those states (read off the slope
probed of it, where no half day lies within ±GUARD: `_Intervals.of`), constrained by
`intervals.passing_interval`, spread by `scheduler._due`'s fuzz and exam cap; maturity is
`scheduler._was_mature`. A decision that float32 could tip (an interval whose rounding, or an exam
cap whose recall, changes within ±GUARD of the stability) is not taken here: that card is left to
`scheduler.replay` (None), as is one whose stability reaches fsrs-rs's cap, or a config whose
parameters lie outside the band the tolerance was measured in (`within_band`). Where float32
cannot follow a log (a review a day or more after one that left the stability under
ILL_CONDITIONED), the log up to there replays through `scheduler.replay_fsrs` and the rest in
batch from the state it leaves. A log comes as columns (`Columns`): a rebuild reads no review id
but the last, and the others only where a fuzz decision hashes one (`Ids`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple, Protocol

from certdrill.clock import from_ms
from certdrill.gcpause import paused_gc
from certdrill.schedule.intervals import needed, passing_interval
from certdrill.schedule.scheduler import (
    AGAIN,
    EASY,
    GOOD,
    HARD,
    MATURE_DAYS,
    RATINGS,
    CardState,
    ReviewEvent,
    SchedulerConfig,
    State,
    _due,
    _fsrs_scheduler,
    _graduating,
    _maturity_bound,
    _settle,
    _was_mature,
)
from certdrill.schedule.scheduler import default_parameters as parameters_default

STATE_TOLERANCE = 1e-5  # |fsrs-rs − fsrs| / fsrs for stability and difficulty (float32; tests hold it on random and real logs)
GUARD = 2 * STATE_TOLERANCE  # a decision taken here must hold for every stability within ±GUARD of fsrs-rs's
SLOPE_GUARD = GUARD + 1e-9  # `_Intervals.of`'s band, widened by the probed slope's error and float rounding
ILL_CONDITIONED = 0.1  # fsrs's forgetting formula takes (S + 1) ** w13 − 1: in float32 it loses digits as S → 0
EARLY = 0.1  # under custom parameters, a recall this early (days over stability) replays in Python
FSRS_RS_MAX_STABILITY = 36500.0  # fsrs-rs caps stability here; fsrs does not
DAY_MS = 86_400_000
_NAMES: dict[int, str] = {HARD: "hard", GOOD: "good", EASY: "easy"}
# The other ratings (and fsrs-rs's names for them) whose intervals `passing_interval` reads for a rating, in review or not
_OTHERS = {(rating, reviewing): tuple((r, _NAMES[r]) for r in needed(rating, reviewing) if r != rating) for rating in _NAMES for reviewing in (False, True)}


def available() -> bool:
    """Whether fsrs-rs is installed (the `optimize` extra); without it every card replays in Python."""
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=8)
def batch_for(config: SchedulerConfig, *, at: int = 0, rid: int = 1, rating: int = 2) -> Batch | None:
    """A `Batch` for this config, or None: without fsrs-rs, or for parameters outside the band the
    tolerance was measured in (`within_band`)."""
    return Batch(config, at=at, rid=rid, rating=rating) if available() and within_band(config.parameters) else None


# The parameters float32's error grows with (fsrs's recall and forgetting formulas: e ** w8,
# S ** -w9, e ** (w10 (1 - R)) - 1, (S + 1) ** w13 - 1, the easy bonus w16): the batch takes
# parameters whose each of these lies within a factor BAND of fsrs's default, as fits of real
# logs do; others replay in Python.
SENSITIVE = (8, 9, 10, 13, 16)
BAND = 2.0


def within_band(parameters: tuple[float, ...] | None) -> bool:
    if parameters is None:
        return True
    defaults = _fsrs_scheduler(0.9, None).parameters
    if abs(parameters[8] - defaults[8]) > math.log(BAND):  # w8 enters as e ** w8: that factor within the band
        return False
    return all(defaults[i] / BAND <= parameters[i] <= defaults[i] * BAND for i in SENSITIVE if i != 8)


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
        # Bounds `Batch._walk` decides maturity by without the constraints: a constrained interval is at
        # least fsrs's own and at most 2 days past it or past the days elapsed (Hard <= Good <= Easy
        # past the first review, by fsrs's parameter bounds), so below `low` (17 days at most) and
        # elapsed 17 or fewer it is never mature, and at or above `high` (22 days at least) always.
        self.low = self._bracket(MATURE_DAYS - 3)[0]
        self.high = self._bracket(MATURE_DAYS + 1)[1]
        self.per_stability = self._slope()

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

    def _slope(self) -> float | None:
        """Days per unit of stability where fsrs's interval is its stability times a constant, rounded
        (as in fsrs 4 to 6: probed here at four lengths, not assumed); else None."""
        slopes = [(days - 0.5) / self._bracket(days)[1] for days in (2, 10, 100, 1000)]
        return slopes[0] if max(slopes) - min(slopes) <= 1e-12 * slopes[0] else None

    def of(self, stability: float) -> int | None:
        slope = self.per_stability
        if slope is not None:  # fsrs's rounding of the whole ±GUARD band at once, where no half day lies within (or near) it
            days = stability * slope
            low, high = math.floor(days * (1 - SLOPE_GUARD) + 0.5), math.floor(days * (1 + SLOPE_GUARD) + 0.5)
            if low == high:
                return max(1, min(low, self.maximum))
        low = self.fsrs_interval(stability * (1 - GUARD))
        return low if low == self.fsrs_interval(stability * (1 + GUARD)) else None


@dataclass(slots=True)
class _Start:
    """Where a walk begins: at a card never answered, or after the reviews up to `index` replayed by
    `scheduler.replay_fsrs` (where float32 could not follow), with what that replay found."""

    index: int = 0
    position: int = _Steps.NEW
    state: int = int(State.LEARNING)
    lapses: int = 0
    mature: list[int] = field(default_factory=list)
    verdict: bool = False  # the card mature before review `index` (a start after a prefix)


class _Restart(int):
    """A walk's answer for a log float32 cannot follow: the last review to replay in Python first."""


class Ids(Protocol):
    """A log's review ids by position: a list, or what reads them only when asked (a rebuild: the
    fuzz of most cards hashes the last id alone)."""

    def __getitem__(self, i: int, /) -> str: ...


class Columns(NamedTuple):
    """One card's log, a column a field, in replay order (time, then id)."""

    at: Sequence[int]  # review time, ms
    rating: Sequence[int]
    id: Ids


class Batch:
    """Replays under one config; `replay` takes logs of rows with the review time (ms), id and
    rating at the positions `at`, `rid` and `rating`, `replay_columns` logs as `Columns`."""

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
        self.custom = config.parameters is not None and tuple(config.parameters) != tuple(parameters_default())
        # `_walk`'s sure verdicts as bounds on fsrs-rs's stability (a hair inside them: the rest asks `_mature`)
        self.sure_mature = self.intervals.high / (1 - GUARD) * (1 + 1e-9) if config.exam_date is None else math.inf
        self.sure_young = self.intervals.low / (1 + GUARD) * (1 - 1e-9)

    def replay(self, logs: Sequence[Sequence[Sequence[Any]]]) -> list[Replayed | None]:
        """Each log's card and mature reviews, or None where `scheduler.replay` must decide."""
        at, rid, rating = self.at, self.rid, self.rating
        return self.replay_columns([Columns([r[at] for r in log], [r[rating] for r in log], [r[rid] for r in log]) for log in logs])

    def replay_columns(self, logs: Sequence[Columns]) -> list[Replayed | None]:
        """`replay` of logs as columns."""
        with paused_gc():  # a review and a memory state an answer, all alive to the end
            return self._replay(logs)

    def _replay(self, logs: Sequence[Columns]) -> list[Replayed | None]:
        review, item = self.fsrs_rs.FSRSReview, self.fsrs_rs.FSRSItem
        days, items = [], []
        for log in logs:
            t = log.at
            gaps = [(b - a) // DAY_MS for a, b in pairwise(t)]
            gaps.insert(0, 0)
            days.append(gaps)
            items.append(item(list(map(review, log.rating, gaps))))
        histories = self.model.historical_memory_state_batch(items)
        out: list[Replayed | _Restart | None] = []
        for log, gaps, states in zip(logs, days, histories, strict=True):
            out.append(self._walk(log, gaps, states, [m.stability for m in states], _Start()))
        restarts = [n for n, done in enumerate(out) if isinstance(done, _Restart)]
        for n, done in zip(restarts, self._restart([(logs[n], days[n], out[n]) for n in restarts]), strict=True):
            out[n] = done
        return out  # type: ignore[return-value]  # no _Restart is left

    def _ill(self, gaps: list[int], ratings: Sequence[int], stabilities: list, i: int) -> bool:
        """Whether float32 cannot follow review `i`: a day or more after a review that left the stability
        under ILL_CONDITIONED, a lapse (or, under custom parameters, any); or, under custom parameters,
        a recall after a gap shorter than EARLY of the stability (recall then so near 1 that its
        complement, which fsrs's stability gain grows from, keeps few float32 digits)."""
        gap = gaps[i]
        if not gap:
            return False
        before = stabilities[i - 1]
        if self.custom:
            return before < ILL_CONDITIONED or (ratings[i] != AGAIN and gap < EARLY * before)
        return ratings[i] == AGAIN and before < ILL_CONDITIONED

    def _last_ill(self, log: Columns, gaps: list[int], stabilities: list, first: int) -> int:
        """The last review from `first` on that float32 cannot follow (`_ill`)."""
        last = first
        for j in range(first + 1, len(gaps)):
            if self._ill(gaps, log.rating, stabilities, j):
                last = j
        return last

    def _first_ill(self, log: Columns, gaps: list[int], stabilities: list, begin: int) -> int | None:
        """The first review from `begin` on that float32 cannot follow (`_ill`), if any."""
        first = max(begin, 1)
        if first >= len(gaps) or (not self.custom and min(stabilities[first - 1 : -1]) >= ILL_CONDITIONED):
            return None
        return next((i for i in range(first, len(gaps)) if self._ill(gaps, log.rating, stabilities, i)), None)

    def _restart(self, work: list) -> list[Replayed | None]:
        """The logs whose walk stopped: the reviews up to the last one float32 cannot follow replayed
        by `scheduler.replay_fsrs`, the rest in batch from the state it leaves."""
        if not work:
            return []
        from certdrill.schedule.scheduler import replay_fsrs

        review, item = self.fsrs_rs.FSRSReview, self.fsrs_rs.FSRSItem
        starts: list[_Start | None] = []
        items, memories = [], []
        for log, gaps, last in work:
            if last == len(gaps) - 1:
                starts.append(None)
                continue
            events = [ReviewEvent(log.id[j], from_ms(log.at[j]), RATINGS[log.rating[j]]) for j in range(last + 1)]
            maturity: list[bool] = []
            card, lapses, floor = replay_fsrs(events, self.config, maturity=maturity)
            key = (int(card.state), card.step, False)
            if key not in self.steps.positions:
                starts.append(None)
                continue
            verdict = _was_mature(card, events[-1], self.config, floor)
            mature = [i for i, m in enumerate(maturity) if m]
            starts.append(_Start(last + 1, self.steps.positions.index(key), int(card.state), lapses, mature, verdict))
            items.append(item(list(map(review, log.rating[last + 1 :], gaps[last + 1 :]))))
            memories.append(self.fsrs_rs.MemoryState(card.stability, card.difficulty))
        histories = iter(self.model.historical_memory_state_batch(items, memories) if items else [])
        out: list[Replayed | None] = []
        for (log, gaps, last), start in zip(work, starts, strict=True):
            if start is None:
                out.append(None)
                continue
            history = next(histories)  # the start's state, then one after each review
            states: list = [None] * last + history
            stabilities: list[float | None] = [None] * last
            stabilities += [m.stability for m in history]
            done = self._walk(log, gaps, states, stabilities, start)
            out.append(None if isinstance(done, _Restart) else done)
        return out

    def _walk(self, log: Columns, gaps: list[int], states: list, stabilities: list, start: _Start) -> Replayed | _Restart | None:
        """One card along its log from `start`: fsrs's step transitions, lapses, and whether each
        review found the card mature; None where fsrs-rs capped the stability, a _Restart where
        float32 cannot follow (a review a day or more after one that left the stability under
        ILL_CONDITIONED)."""
        begin = start.index
        if max(stabilities[max(begin - 1, 0) :]) >= FSRS_RS_MAX_STABILITY * (1 - GUARD):  # fsrs-rs caps stability there, fsrs does not
            return None
        ill = self._first_ill(log, gaps, stabilities, begin)
        if ill is not None:
            return _Restart(self._last_ill(log, gaps, stabilities, ill))
        at, ratings = log.at, log.rating
        table = self.steps.table
        expiry = self.expiry_ms
        sure_mature, sure_young, young_gap = self.sure_mature, self.sure_young, MATURE_DAYS - 4
        review = int(State.REVIEW)
        position, state, step, offset = start.position, start.state, None, None
        lapses, mature = start.lapses, start.mature
        reviewing = False  # the state before the review just walked was review
        for i in range(begin, len(ratings)):
            r = ratings[i]
            if state == review:  # was the card mature before this review? (never so before the first)
                if i == begin:
                    verdict: bool | None = start.verdict
                elif i > 1 and stabilities[i - 1] >= sure_mature:
                    verdict = True
                elif i > 1 and stabilities[i - 1] < sure_young and (not reviewing or gaps[i - 1] <= young_gap):
                    verdict = False
                else:
                    verdict = self._mature(log, gaps, states, i - 1, reviewing)
                    if verdict is None:
                        return None
                if verdict:
                    mature.append(i)
                if r == AGAIN:
                    lapses += 1
                reviewing = True
                position, state, step, offset = table[position][r - 1]
            else:
                expired = i > 0 and expiry is not None and r != AGAIN and at[i] - at[i - 1] >= expiry  # a (re)learning step waited too long
                reviewing = False
                position, state, step, offset = table[position][r + 3 if expired else r - 1]
        return self._final(log, gaps, states, (state, step, offset), reviewing, lapses, mature)

    def _interval(self, log: Columns, gaps: list[int], states: list, i: int, reviewing: bool) -> tuple[int, int] | None:
        """(days, floor) of review i, which left the card in review: `scheduler.constrain`'s interval
        from fsrs's intervals of the states fsrs-rs gives (that rating's and, where Anki's rules
        read them, the others' from the state before), or None where float32 could tip one."""
        rating = log.rating[i]
        own = self.intervals.of(states[i].stability)
        if own is None:
            return None
        if rating == AGAIN:
            return own, 1
        days = {rating: own}
        wanted = _OTHERS[rating, reviewing]
        if wanted:
            others = self.model.next_states(states[i - 1] if i else None, self.config.desired_retention, gaps[i])
            for r, name in wanted:
                other = self.intervals.of(getattr(others, name).memory.stability)
                if other is None:
                    return None
                days[r] = other
        interval = passing_interval(rating, days, elapsed_days=gaps[i] if reviewing else None, maximum=self.intervals.maximum)
        return interval.days, interval.floor

    def _mature(self, log: Columns, gaps: list[int], states: list, i: int, reviewing: bool) -> bool | None:
        """`scheduler._was_mature` of the card review i left in review, asked for the next review."""
        interval = self._interval(log, gaps, states, i, reviewing)
        if interval is None:
            return None
        days, floor = interval
        when = from_ms(log.at[i])
        verdicts = set()
        for stability in self._stabilities(states[i].stability):
            outcome = _Outcome(int(State.REVIEW), None, stability, 0.0, when + timedelta(days=days), when)
            verdict = _maturity_bound(outcome, when, self.config, floor)
            if verdict is None:  # the fuzz decides: it hashes the review's id
                verdict = _was_mature(outcome, ReviewEvent(log.id[i], when, RATINGS[log.rating[i]]), self.config, floor)
            verdicts.add(verdict)
        return verdicts.pop() if len(verdicts) == 1 else None

    def _stabilities(self, stability: float) -> tuple[float, ...]:
        """The stabilities an exam cap must decide alike (only the exam cap reads it past the interval)."""
        return (stability,) if self.config.exam_date is None else (stability * (1 - GUARD), stability * (1 + GUARD))

    def _final(self, log: Columns, gaps: list[int], states: list, after: tuple, reviewing: bool, lapses: int, mature: list[int]) -> Replayed | None:
        """The card after the last review: `scheduler._settle` of its state, as replay ends."""
        state, step, offset = after
        when = from_ms(log.at[-1])
        rid = log.id[len(gaps) - 1]
        memory = states[-1]
        if state == State.REVIEW:
            interval = self._interval(log, gaps, states, len(gaps) - 1, reviewing)
            if interval is None:
                return None
            days, floor = interval
            due = when + timedelta(days=days)
        else:
            due, floor = when + offset, 1
        new = _Outcome(state, step, memory.stability, memory.difficulty, due, when)
        card = _settle(new, when, rid, len(gaps), lapses, self.config, floor)
        if state == State.REVIEW and self.config.exam_date is not None:
            for stability in self._stabilities(memory.stability):
                new.stability = stability
                new.due = due
                if _due(new, when, rid, self.config, floor) != card.due:
                    return None
        return Replayed(card, mature)


@lru_cache(maxsize=8)
def _intervals(config: SchedulerConfig) -> _Intervals:
    return _Intervals(config)
