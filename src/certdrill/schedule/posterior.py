"""Recall or guess, replayed: the card states a log of multiple-choice answers may have left, each with its chance.

Plain replay takes every right answer as recall. On a question with guess chance g, a right answer
was recall with probability q = R / (R + (1 − R)·g) and a lucky guess otherwise: no recall, which
memory takes as a lapse (Again). The posterior replay follows both: a right answer splits every
state into its logged rating (weight w·R) and Again (weight w·(1 − R)·g); a wrong one moves every
state by Again, weighted w·(1 − R)·(1 − g) (Bayes: a wrong answer points to the states with low R).
Equal states merge, the `keep` heaviest stay, the weights are renormalised. Every step is fsrs's own
`review_card`, chosen as `scheduler.replay_fsrs` chooses it (steps that expired graduate).

A first answer has no FSRS recall: its R is `prior`, the chance the item was known at first sight
(None: taken as recall, as plain replay does). With g = 0 (a flashcard) nothing splits and nothing
is reweighted: exactly the plain replay. benchmarks/readiness.py measures what it does to predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certdrill.schedule.scheduler import (
    AGAIN,
    STATES,
    CardState,
    Rating,
    SchedulerConfig,
    _card_class,
    _fsrs_scheduler,
    _graduating,
    _to_fsrs,
    retrievability,
    step_expired,
)

KEEP = 16  # states kept after each answer: with BRANCH_LAST 4, every one (2⁴), so the window is replayed exactly
# Answers of an item's log that split (None: all), chosen on benchmarks/readiness.py's training learners
# between 2 and 4; the whole log predicts a little better there but costs `stats` minutes at a million reviews.
BRANCH_LAST: int | None = 4
# The answers (of the items a mock exam draws from) up to which `stats` replays them so: each costs
# up to 2 × KEEP fsrs updates, and a million would take minutes; beyond it stats reads the plain cards.
BUDGET = 100_000
MIN_WEIGHT = 1e-4  # a state less likely than this is dropped before the cut to `keep`


@dataclass(frozen=True, slots=True)
class Answer:
    """One logged answer as the posterior replay reads it."""

    reviewed_at: datetime
    rating: Rating  # Again: wrong; any other: right
    guess: float  # the chance of a right answer without recall (0: nothing to guess)
    prior: float | None = None  # R of a first answer (known at first sight); None: a right one is recall


Belief = tuple[tuple[float, CardState], ...]  # (weight, card) pairs, weights summing to 1; empty: never answered


class Posterior:
    """The weighted states of one item's card, updated answer by answer (fsrs cards inside)."""

    def __init__(self, card: CardState | None = None, *, keep: int = KEEP) -> None:
        self.keep = keep
        self.states: list[tuple[float, Any]] = [] if card is None else [(1.0, _cheap(_to_fsrs(card)))]

    def observe(self, answer: Answer, config: SchedulerConfig) -> None:
        right = answer.rating != AGAIN
        g = answer.guess
        if not self.states:
            start = _card_class()(card_id=1)
            r0 = 1.0 if answer.prior is None or g <= 0 else answer.prior
            branches = [(r0 if right else 1 - r0, start, answer.rating)] + ([((1 - r0) * g, start, AGAIN)] if right and g > 0 else [])
        else:
            branches = []
            for w, card in self.states:
                if g <= 0:
                    branches.append((w, card, answer.rating))
                    continue
                r = _recall(card, answer.reviewed_at, config)
                if right:
                    branches += [(w * r, card, answer.rating), (w * (1 - r) * g, card, AGAIN)]
                else:
                    branches.append((w * (1 - r) * (1 - g), card, AGAIN))
        if sum(w for w, _, _ in branches) <= 0:  # an answer the states cannot explain: take it as logged, weights kept
            branches = [(w, card, answer.rating) for w, card in self.states] or [(1.0, _card_class()(card_id=1), answer.rating)]
        self.states = _pruned(_stepped(branches, answer.reviewed_at, config), self.keep)

    def recall(self, at: datetime, config: SchedulerConfig) -> float:
        """The weighted mean of the states' predicted recall at `at`; 0 for an item never answered."""
        return sum(w * _recall(card, at, config) for w, card in self.states)

    def belief(self) -> Belief:
        return tuple((w, _card_state(card)) for w, card in self.states)


def posterior_replay(
    answers: Sequence[Answer], config: SchedulerConfig = SchedulerConfig(), *, keep: int = KEEP, start: CardState | None = None, branch_last: int | None = None
) -> Belief:
    """The weighted states after `answers` (oldest first), from `start` (None: an item never answered).

    With `branch_last`, only the last that many answers split; those before replay plain (cheaper).
    """
    post = Posterior(start, keep=keep)
    plain = 0 if branch_last is None else max(0, len(answers) - branch_last)
    for n, answer in enumerate(answers):
        post.observe(answer if n >= plain else Answer(answer.reviewed_at, answer.rating, 0.0), config)
    return post.belief()


def belief_recall(belief: Belief, at: datetime, config: SchedulerConfig = SchedulerConfig()) -> float:
    """P(recall) at `at` under the belief: what a right answer then is, less the guess (P = R + (1 − R)·g is linear in R)."""
    return sum(w * retrievability(card, at, config) for w, card in belief)


def _recall(card, at: datetime, config: SchedulerConfig) -> float:
    if card.last_review is None or card.stability is None:
        return 0.0
    return _fsrs_scheduler(config.desired_retention, config.parameters).get_card_retrievability(card, max(at, card.last_review))


def _stepped(branches: list[tuple[float, Any, Rating]], at: datetime, config: SchedulerConfig) -> list[tuple[float, Any]]:
    """Each branch's card after its rating at `at`, as `replay_fsrs` steps it."""
    import fsrs

    scheduler = _fsrs_scheduler(config.desired_retention, config.parameters)
    out = []
    for w, card, rating in branches:
        if w <= 0:
            continue
        expired = card.last_review is not None and step_expired(int(card.state), card.last_review, rating, at, config)
        new, _ = (_graduating(config) if expired else scheduler).review_card(card, fsrs.Rating(int(rating)), review_datetime=at)
        out.append((w, new))
    return out


def _pruned(states: list[tuple[float, Any]], keep: int) -> list[tuple[float, Any]]:
    """Equal states merged, the `keep` heaviest kept (those above MIN_WEIGHT), weights summing to 1."""
    merged: dict[tuple, list] = {}
    for w, card in states:
        key = (int(card.state), card.step, card.stability, card.difficulty, card.last_review)
        if key in merged:
            merged[key][0] += w
        else:
            merged[key] = [w, card]
    ranked = sorted(merged.values(), key=lambda pair: -pair[0])
    total = sum(w for w, _ in ranked)
    kept = [(w, card) for w, card in ranked[:keep] if w / total >= MIN_WEIGHT] or [(ranked[0][0], ranked[0][1])]
    total = sum(w for w, _ in kept)
    return [(w / total, card) for w, card in kept]


def _cheap(card):
    """fsrs's card as `scheduler._card_class`, whose copy (one a review) is cheap."""
    out = _card_class()(card_id=1)
    out.__dict__.update(card.__dict__)
    return out


def _card_state(card) -> CardState:
    """fsrs's card as a CardState (its unconstrained due date: only recall is read from it)."""
    return CardState(STATES[int(card.state)], card.step, card.stability, card.difficulty, card.due, card.last_review)
