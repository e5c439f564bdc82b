"""Fit FSRS parameters to the learner's own log, as Anki's "Optimize" does, and keep the better ones.

The fit is fsrs-rs (the Rust FSRS inside Anki) through the optional `fsrs-rs-python` wheel. New
parameters replace the current ones only if they predict the learner's reviews better on data
they were not fitted to: a time-series split (fit on the earlier part of the log, score the next
part, five times, as fsrs-rs's own evaluation does), scored by log loss and RMSE(bins).
"""

from __future__ import annotations

import heapq
import json
import math
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from certdrill.errors import CertdrillError, MissingExtra, StoreError

MIN_REVIEWS = 400  # below this, a fit mostly learns noise; fsrs-rs itself wants 64 items to fit more than w0-w3
MIN_ITEMS = 64
# Fit to a sample of whole card histories when the log is long: a million-review log would
# otherwise cost fsrs-rs about a minute and 800 MB for six fits. Whole histories, not the latest
# reviews, so the first answers (what w0-w3 are fitted from) stay in the sample.
MAX_TRAINING_ITEMS = 100_000
SPLITS = 5
DAY_MS = 86_400_000
RECORD_VERSION = 1


class OptimizerMissing(MissingExtra):
    def __init__(self) -> None:
        super().__init__("fitting parameters needs the optimizer extra", "optimize")


class NotEnoughReviews(CertdrillError):
    pass


@dataclass(frozen=True)
class Score:
    log_loss: float
    rmse_bins: float

    def beats(self, other: Score) -> bool:
        """Strictly better log loss, and RMSE(bins) no worse."""
        return self.log_loss < other.log_loss and self.rmse_bins <= other.rmse_bins


@dataclass(frozen=True)
class Fit:
    reviews: int
    items: int  # fsrs-rs training items (one per review that came on a later day)
    current: tuple[float, ...]
    fitted: tuple[float, ...]
    current_score: Score  # on the held-out splits
    fitted_score: Score
    adopted: bool
    sampled: bool = False  # past MAX_TRAINING_ITEMS: trained on a sample of whole card histories


@dataclass(frozen=True)
class Record:
    """What the store keeps after a fit: the parameters in use and how they predicted held-out
    reviews against the other candidate, so `stats` can say what is in use and how well it does."""

    parameters: tuple[float, ...]
    fitted: bool  # False: fsrs's defaults, kept because no fit beat them yet
    checked_at: str  # when `certdrill optimize` last compared
    reviews: int  # reviews in the log then
    score: Score  # held-out score of `parameters`
    rival: Score  # held-out score of the candidate not chosen

    def to_json(self) -> str:
        data = asdict(self)
        data["version"] = RECORD_VERSION
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Record:
        try:
            data = json.loads(text)
            return cls(
                parameters=tuple(float(w) for w in data["parameters"]),
                fitted=bool(data["fitted"]),
                checked_at=str(data["checked_at"]),
                reviews=int(data["reviews"]),
                score=Score(**data["score"]),
                rival=Score(**data["rival"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"the stored FSRS parameters are unreadable ({exc}); run certdrill optimize --reset") from None


def _rs():
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizerMissing() from None
    return fsrs_rs_python


def default_parameters() -> tuple[float, ...]:
    from certdrill.schedule.scheduler import default_parameters as defaults

    return defaults()


def training_items(logs: Iterable[list[tuple[int, int]]]) -> tuple[list, int]:
    """`sampled_training_items` without saying whether it sampled."""
    items, reviews, _ = sampled_training_items(logs)
    return items, reviews


def sampled_training_items(logs: Iterable[list[tuple[int, int]]]) -> tuple[list, int, bool]:
    """fsrs-rs items oldest first (by the review each predicts), the number of reviews read, and
    whether only a sample of the cards was kept.

    `logs` gives each item's reviews as (ms since the epoch, rating), oldest first. Days between
    reviews are whole 24-hour periods, as certdrill's scheduler counts them. An item predicts one
    review from all before it; reviews on the day of the previous one are history only (fsrs-rs
    models them as short-term), as in fsrs-rs's own conversion. Past MAX_TRAINING_ITEMS, a
    deterministic sample of whole cards (by a hash of each card's place and first review) is kept.
    """
    rs = _rs()
    kept: list[tuple[int, int, list]] = []  # a heap of cards, the largest sample key on top
    total = reviews = 0
    sampled = False
    for n, log in enumerate(logs):
        reviews += len(log)
        history, dated, last = [], [], None
        for at, rating in log:
            delta = 0 if last is None else (at - last) // DAY_MS
            history.append(rs.FSRSReview(rating, delta))
            if delta > 0:
                item = rs.FSRSItem(history[:])
                if item.long_term_review_cnt() > 0:
                    dated.append((at, item))
            last = at
        if not dated:
            continue
        heapq.heappush(kept, (-zlib.crc32(f"{n}:{log[0][0]}".encode()), n, dated))
        total += len(dated)
        while total > MAX_TRAINING_ITEMS:
            total -= len(heapq.heappop(kept)[2])
            sampled = True
    items = sorted((pair for _, _, dated in kept for pair in dated), key=lambda pair: pair[0])
    return [item for _, item in items], reviews, sampled


def score(parameters: tuple[float, ...], items: list) -> Score:
    result = _rs().FSRS(list(parameters)).evaluate(items)
    return Score(float(result.log_loss), float(result.rmse_bins))


def _pooled(scores: list[tuple[int, Score]]) -> Score:
    total = sum(n for n, _ in scores)
    return Score(
        sum(n * s.log_loss for n, s in scores) / total,
        math.sqrt(sum(n * s.rmse_bins**2 for n, s in scores) / total),
    )


def fit(
    logs: Iterable[list[tuple[int, int]]],
    current: tuple[float, ...] | None,
    *,
    step: Callable[[int, str], None] = lambda done, what: None,
) -> Fit:
    """Fit on the whole log; score the fit procedure and the current parameters on held-out splits.

    `step(fits done, what next)` is called before each of the SPLITS + 1 fits (for a progress bar).
    """
    rs = _rs()
    items, reviews, sampled = sampled_training_items(logs)
    if reviews < MIN_REVIEWS:
        raise NotEnoughReviews(f"{reviews} reviews so far; fitting needs at least {MIN_REVIEWS} (the defaults are used until then)")
    segment = len(items) // (SPLITS + 1)
    if len(items) < MIN_ITEMS or segment == 0:
        raise NotEnoughReviews(
            f"{len(items)} reviews came on a later day than the one before; fitting needs at least {MIN_ITEMS} (the defaults are used until then)"
        )
    current = tuple(current) if current is not None else default_parameters()
    held_current, held_fitted = [], []
    for split in range(SPLITS):
        step(split, f"held-out split {split + 1} of {SPLITS}")
        start = (split + 1) * segment
        end = len(items) if split == SPLITS - 1 else start + segment
        train, test = items[:start], items[start:end]
        trained = _compute(rs, current, train)
        held_current.append((len(test), score(current, test)))
        held_fitted.append((len(test), score(_within_bounds(trained), test)))
    step(SPLITS, "fitting on the whole log")
    fitted = _within_bounds(_compute(rs, current, items))
    current_score, fitted_score = _pooled(held_current), _pooled(held_fitted)
    return Fit(reviews, len(items), current, fitted, current_score, fitted_score, adopted=fitted_score.beats(current_score), sampled=sampled)


def _compute(rs, current: tuple[float, ...], items: list) -> tuple[float, ...]:
    """fsrs-rs's fit; its own refusal (too little it can use after filtering) is a message, not a crash."""
    try:
        return tuple(rs.FSRS(list(current)).compute_parameters(items))
    except ValueError as exc:
        raise NotEnoughReviews(f"fsrs-rs could not fit these reviews ({exc}); the parameters in use are kept") from None


def _within_bounds(parameters: tuple[float, ...]) -> tuple[float, ...]:
    """fsrs-rs computes in 32-bit floats; a value at a bound can land a hair outside py-fsrs's."""
    from certdrill.schedule.scheduler import parameter_bounds

    return tuple(min(max(w, lo), hi) for w, (lo, hi) in zip(parameters, parameter_bounds(), strict=True))


def record(result: Fit, now: datetime, *, adopt: bool, previous: Record | None) -> Record:
    """What to keep after a fit: the fitted parameters if adopted, else the ones in use."""
    when = now.isoformat(timespec="seconds")
    if adopt:
        return Record(result.fitted, True, when, result.reviews, result.fitted_score, result.current_score)
    fitted = previous.fitted if previous is not None else False
    return Record(result.current, fitted, when, result.reviews, result.current_score, result.fitted_score)


@dataclass(frozen=True)
class ParametersInUse:
    """Which FSRS parameters drive scheduling and, once `optimize` has run, how well they predicted."""

    fitted: bool
    parameters: tuple[float, ...]
    record: Record | None  # the last check; None before the first `optimize`

    @classmethod
    def of(cls, record: Record | None) -> ParametersInUse:
        from certdrill.schedule.scheduler import default_parameters

        fitted = record is not None and record.fitted
        return cls(fitted, record.parameters if record is not None and fitted else default_parameters(), record)

    def to_json(self) -> dict:
        summary: dict = {"source": "fitted" if self.fitted else "default", "parameters": list(self.parameters)}
        if self.record is not None:
            r = self.record
            summary["checked"] = {"at": r.checked_at, "reviews": r.reviews, "held_out": asdict(r.score), "other_candidate": asdict(r.rival)}
        return summary
