"""Fit FSRS parameters to the learner's own log, as Anki's "Optimize" does, and keep the better ones.

The fit is fsrs-rs (the Rust FSRS inside Anki) through the optional `fsrs-rs-python` wheel. New
parameters replace the ones in use only if they predict the learner's reviews better on reviews
they were not fitted to: a time-series split (fit on the earlier part of the log, score the next
part, five times, as fsrs-rs's own evaluation does), scored by log loss and RMSE(bins).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from certdrill.errors import CertdrillError, StoreError

MIN_REVIEWS = 400  # below this a fit mostly learns noise
MIN_ITEMS = 64  # fsrs-rs wants this many training items to fit more than the first four parameters
SPLITS = 5
DAY_MS = 86_400_000
RECORD_VERSION = 1


class OptimizerMissing(CertdrillError):
    def __init__(self) -> None:
        super().__init__("fitting parameters needs the optimizer: pip install 'certdrill[optimize]'")


class NotEnoughReviews(CertdrillError):
    pass


@dataclass(frozen=True)
class Score:
    """How well parameters predict reviews: lower is better for both."""

    log_loss: float
    rmse_bins: float

    def beats(self, other: Score) -> bool:
        """Strictly better log loss, and RMSE(bins) no worse."""
        return self.log_loss < other.log_loss and self.rmse_bins <= other.rmse_bins

    def to_json(self) -> dict:
        return {"log_loss": self.log_loss, "rmse_bins": self.rmse_bins}


@dataclass(frozen=True)
class Fit:
    reviews: int
    items: int  # fsrs-rs training items (one per review on a later day than the one before)
    current: tuple[float, ...]
    fitted: tuple[float, ...]
    current_score: Score  # on the held-out splits
    fitted_score: Score

    @property
    def better(self) -> bool:
        return self.fitted_score.beats(self.current_score)


@dataclass(frozen=True)
class Record:
    """What the store keeps: the parameters in use (None: fsrs's defaults) and the fit that judged them."""

    parameters: tuple[float, ...] | None
    fitted_at: str
    reviews: int
    score: Score  # the parameters in use, on held-out reviews
    rival: Score  # the ones they beat, or the fit that did not beat them
    adopted: bool  # whether that fit replaced the parameters used before it

    def to_json(self) -> str:
        data = {
            "version": RECORD_VERSION,
            "parameters": None if self.parameters is None else list(self.parameters),
            "fitted_at": self.fitted_at,
            "reviews": self.reviews,
            "score": self.score.to_json(),
            "rival": self.rival.to_json(),
            "adopted": self.adopted,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Record:
        try:
            data = json.loads(text)
            parameters = data["parameters"]
            return cls(
                parameters=None if parameters is None else tuple(float(w) for w in parameters),
                fitted_at=str(data["fitted_at"]),
                reviews=int(data["reviews"]),
                score=Score(**data["score"]),
                rival=Score(**data["rival"]),
                adopted=bool(data["adopted"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"the stored FSRS parameters are unreadable ({exc}); run certdrill optimize --reset") from None


def record(fit: Fit, now: datetime, *, adopt: bool) -> Record:
    """The record after `fit`: its parameters if adopted, else the ones in use (None if those are the defaults)."""
    from certdrill.scheduler import default_parameters

    if adopt:
        return Record(fit.fitted, now.isoformat(timespec="seconds"), fit.reviews, fit.fitted_score, fit.current_score, adopted=True)
    kept = None if fit.current == default_parameters() else fit.current
    return Record(kept, now.isoformat(timespec="seconds"), fit.reviews, fit.current_score, fit.fitted_score, adopted=False)


def _rs():
    try:
        import fsrs_rs_python
    except ImportError:
        raise OptimizerMissing() from None
    return fsrs_rs_python


def training_items(logs: Iterable[list[tuple[int, int]]]) -> tuple[list, int]:
    """fsrs-rs items, oldest first (by the review each predicts), and the number of reviews read.

    `logs` gives each item's reviews as (ms since the epoch, rating), oldest first. Days between
    reviews are whole 24-hour periods, as the scheduler counts them. An item predicts one review
    from all before it; a review on the day of the one before is history only (fsrs-rs models it
    as short-term), as in fsrs-rs's own conversion of Anki's log.
    """
    rs = _rs()
    dated: list[tuple[int, object]] = []
    reviews = 0
    for log in logs:
        reviews += len(log)
        history = []
        last = None
        for at, rating in log:
            delta = 0 if last is None else (at - last) // DAY_MS
            history.append(rs.FSRSReview(rating, delta))
            if delta > 0:
                item = rs.FSRSItem(history[:])
                if item.long_term_review_cnt() > 0:
                    dated.append((at, item))
            last = at
    dated.sort(key=lambda pair: pair[0])
    return [item for _, item in dated], reviews


def score(parameters: tuple[float, ...], items: list) -> Score:
    result = _rs().FSRS(list(parameters)).evaluate(items)
    return Score(float(result.log_loss), float(result.rmse_bins))


def fit(logs: Iterable[list[tuple[int, int]]], current: tuple[float, ...], *, step: Callable[[int, str], None] = lambda done, what: None) -> Fit:
    """Fit on the whole log; score the fitting and the current parameters on held-out splits.

    Split k fits on the first k+1 of SPLITS+1 time-ordered parts and scores the part after;
    the scores are pooled by part size. `step(fits done, what next)` is called before each of
    the SPLITS + 1 fits (for a progress bar).
    """
    rs = _rs()
    items, reviews = training_items(logs)
    if reviews < MIN_REVIEWS:
        raise NotEnoughReviews(f"{reviews} reviews so far; fitting needs at least {MIN_REVIEWS} (the parameters in use stay)")
    part = len(items) // (SPLITS + 1)
    if len(items) < MIN_ITEMS or part == 0:
        raise NotEnoughReviews(f"{len(items)} reviews came on a later day than the one before; fitting needs at least {MIN_ITEMS} (the parameters in use stay)")
    held_current, held_fitted = [], []
    for split in range(SPLITS):
        step(split, f"held-out split {split + 1} of {SPLITS}")
        start = (split + 1) * part
        end = len(items) if split == SPLITS - 1 else start + part
        train, test = items[:start], items[start:end]
        trained = _within_bounds(tuple(rs.FSRS(list(current)).compute_parameters(train)))
        held_current.append((len(test), score(current, test)))
        held_fitted.append((len(test), score(trained, test)))
    step(SPLITS, "fitting on the whole log")
    fitted = _within_bounds(tuple(rs.FSRS(list(current)).compute_parameters(items)))
    return Fit(reviews, len(items), tuple(current), fitted, _pooled(held_current), _pooled(held_fitted))


def _pooled(scores: list[tuple[int, Score]]) -> Score:
    total = sum(n for n, _ in scores)
    return Score(sum(n * s.log_loss for n, s in scores) / total, math.sqrt(sum(n * s.rmse_bins**2 for n, s in scores) / total))


def _within_bounds(parameters: tuple[float, ...]) -> tuple[float, ...]:
    """fsrs-rs computes in 32-bit floats; a value at a bound can land a hair outside py-fsrs's."""
    from certdrill.scheduler import parameter_bounds

    return tuple(min(max(w, lo), hi) for w, (lo, hi) in zip(parameters, parameter_bounds(), strict=True))
