"""Recall or guess: what a right answer to a multiple-choice question says about memory.

FSRS predicts R, the chance of recall. A learner who does not recall can still pick the key by
chance g (1/k for k options, 1/2 for true/false, 1/C(n, m) for an all-or-nothing choose-m-of-n;
0 for a flashcard, which has nothing to pick). So the chance of a right answer is
P = R + (1 − R)·g, and a right answer is recall with probability R / (R + (1 − R)·g).

g can be overridden per item type (`config set guess-single 0.3`), and an effective g can be
fitted to the learner's own answers (`fit_guess`): partial knowledge (ruling a distractor out)
makes it larger than the nominal one. benchmarks/readiness.py measures whether that helps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from certdrill.bank.items import Item, ItemType
from certdrill.config import Settings
from certdrill.schedule.posterior import KEEP, Answer, Belief, posterior_replay
from certdrill.schedule.scheduler import CardState, Rating, SchedulerConfig

CHOICE_TYPES: tuple[ItemType, ...] = ("single", "multi", "truefalse")
PRIOR_STRENGTH = 20.0  # pseudo-answers at the nominal g that a fitted g starts from (shrinkage)
_EPS = 1e-9


def nominal_guess(item: Item) -> float:
    """The chance of picking the key with no memory of it, all choices equally likely."""
    if item.type == "flashcard" or not item.choices:
        return 0.0
    if item.type == "truefalse":
        return 0.5
    if item.type == "multi":  # the prompt says how many to choose; all of them must be right
        return 1.0 / math.comb(len(item.choices), len(item.answer))
    return 1.0 / len(item.choices)


@dataclass(frozen=True)
class GuessModel:
    """g per item: the nominal one, unless an override is set for the item's type.

    `first`, per type, is the chance of a right answer to an item never studied (what the learner
    knew before, plus the guess); without it an unseen item is right with g.
    """

    overrides: Mapping[str, float] = field(default_factory=dict)
    first: Mapping[str, float] = field(default_factory=dict)

    def unseen(self, item: Item) -> float:
        found = self.first.get(item.type)
        return self.chance(item) if found is None or item.type == "flashcard" else found

    def chance(self, item: Item) -> float:
        if item.type == "flashcard":
            return 0.0
        override = self.overrides.get(item.type)
        return nominal_guess(item) if override is None else override

    @classmethod
    def of(cls, settings: Settings) -> GuessModel:
        """The overrides set with `config set guess-single` (and guess-multi, guess-truefalse)."""
        found = {kind: getattr(settings, f"guess_{kind}") for kind in CHOICE_TYPES}
        return cls({kind: value for kind, value in found.items() if value is not None})

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"model": "recall or guess: P(right) = R + (1 - R) * g", "overrides": dict(self.overrides)}
        return data | ({"first_answer": dict(self.first)} if self.first else {})


FIRST_PRIOR = 10.0  # pseudo-answers at the nominal g that the share of right first answers starts from


def first_answer_chances(items: Iterable[Item], first: Mapping[str, bool], model: GuessModel) -> dict[str, float]:
    """Per type, the chance of a right answer to an item never studied, from the learner's own first answers.

    Prior knowledge (and ruling distractors out) makes it higher than g, and it is what a mock exam
    meets on every item not yet studied: benchmarks/readiness.py measures the difference. Shrunk
    toward the mean g of the type's answered items by FIRST_PRIOR pseudo-answers.
    """
    tally: dict[str, list[float]] = {}
    for item in items:
        right = first.get(item.id)
        if right is None or item.type == "flashcard":
            continue
        t = tally.setdefault(item.type, [0.0, 0.0, 0.0])
        t[0] += right
        t[1] += 1
        t[2] += model.chance(item)
    return {kind: (right + FIRST_PRIOR * g_sum / n) / (n + FIRST_PRIOR) for kind, (right, n, g_sum) in tally.items()}


def learner_model(settings: Settings, items: Iterable[Item], first: Mapping[str, bool]) -> GuessModel:
    """The guess chances (settings' overrides), and for items never studied the learner's own share of right first answers."""
    model = GuessModel.of(settings)
    return GuessModel(model.overrides, first_answer_chances(items, first, model))


def first_sight(model: GuessModel, item: Item) -> float | None:
    """The chance `item` was known before it was studied: its type's share of right first answers, less the guess."""
    share, g = model.first.get(item.type), model.chance(item)
    if share is None or g >= 1:
        return None
    return min(1.0, max(0.0, (share - g) / (1 - g)))


def guesses(items: Iterable[Item], model: GuessModel) -> dict[str, tuple[float, float | None]]:
    """Per multiple-choice item (g > 0): its guess chance and the chance it was known at first sight, what its
    posterior replay needs (`store.recall_beliefs`; a flashcard has none: its plain card is its belief)."""
    return {item.id: (g, first_sight(model, item)) for item in items if (g := model.chance(item)) > 0}


def recall_beliefs(
    items: Iterable[Item],
    windows: Mapping[str, tuple[CardState | None, Sequence[tuple[datetime, Rating]]]],
    model: GuessModel,
    config: SchedulerConfig,
    *,
    keep: int = KEEP,
) -> dict[str, Belief]:
    """Each answered multiple-choice item's card states replayed as recall or guess (`schedule.posterior`), by item id.

    `windows` holds, per item, the plain card before the answers to split (None: the item's first
    answer is among them) and those answers as (answered at, rating), oldest first. What
    `store.recall_beliefs` computes from the log, on every core, for `guesses(items, model)`.
    """
    out: dict[str, Belief] = {}
    for item_id, (g, prior) in guesses(items, model).items():
        window = windows.get(item_id)
        if window and window[1]:
            start, answers = window
            out[item_id] = posterior_replay([Answer(at, rating, g, prior) for at, rating in answers], config, keep=keep, start=start)
    return out


def p_right(recall: float, guess: float) -> float:
    """The chance of a right answer: recalled, or not recalled and guessed."""
    return recall + (1.0 - recall) * guess


def posterior_recall(recall: float, guess: float) -> float:
    """How likely a right answer came from recall rather than a lucky guess (Bayes)."""
    right = p_right(recall, guess)
    return 1.0 if right <= 0.0 else recall / right


def log_loss(pairs: Iterable[tuple[float, bool]]) -> float:
    """Mean negative log-likelihood of outcomes under predicted chances (clipped away from 0 and 1)."""
    total, n = 0.0, 0
    for p, right in pairs:
        p = min(max(p, 1e-6), 1 - 1e-6)
        total -= math.log(p if right else 1.0 - p)
        n += 1
    return total / n if n else float("nan")


def fit_guess(answers: Iterable[tuple[float, bool]], nominal: float, *, strength: float = PRIOR_STRENGTH) -> float:
    """The effective g that best explains `answers` (predicted recall R, right?) under P = R + (1 − R)·g.

    A maximum a posteriori fit: `strength` pseudo-answers at R = 0, `nominal` of them right, pull
    the fit toward the nominal g when the log holds few answers at low R. The log-likelihood is
    concave in g, so a golden-section search finds the maximum.
    """
    data = [(r, right) for r, right in answers]

    def loglik(g: float) -> float:
        total = strength * (nominal * math.log(g) + (1 - nominal) * math.log(1 - g)) if 0 < nominal < 1 else 0.0
        for r, right in data:
            p = r + (1 - r) * g
            total += math.log(max(p, _EPS)) if right else math.log(max(1 - p, _EPS))
        return total

    low, high = 1e-4, 1 - 1e-4
    ratio = (math.sqrt(5) - 1) / 2
    a, b = high - ratio * (high - low), low + ratio * (high - low)
    fa, fb = loglik(a), loglik(b)
    for _ in range(60):
        if fa < fb:
            low, a, fa = a, b, fb
            b = low + ratio * (high - low)
            fb = loglik(b)
        else:
            high, b, fb = b, a, fa
            a = high - ratio * (high - low)
            fa = loglik(a)
    return (low + high) / 2
