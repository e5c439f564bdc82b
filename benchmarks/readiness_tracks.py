"""The posterior replay followed answer by answer in a simulation (benchmarks/readiness.py).

Each variant is (states kept, answers that split: None for all). A full-log variant keeps one
`schedule.posterior.Posterior` an item and updates it with each answer; a windowed one replays the
item's last answers from the plain card before them, as `insight.guessing.recall_beliefs` would.
Readiness at the exam uses `recall_beliefs` itself on the same windows (what `stats` computes).
"""

from __future__ import annotations

from datetime import datetime

from certdrill.insight.guessing import fit_guess
from certdrill.schedule.posterior import Answer, Posterior, belief_recall, posterior_replay
from certdrill.schedule.scheduler import AGAIN, CardState, Rating, SchedulerConfig, retrievability

# (states kept, answers that split). The whole-log variant is for reference: at 1,000,000 reviews it
# costs `stats` minutes (each answer steps up to 2 × keep states), so training chooses among the windows.
# The fitted-g variant replays the last 4 answers with g per type fitted (`insight.guessing.fit_guess`,
# once a day) on those windows' answers to items already seen, against the plain R before each:
# an effective g for partial knowledge, at a cost `stats` could afford.
FITTED = "posterior, last 4 answers, fitted g"
VARIANTS = {"posterior, whole log, keep 8": (8, None), "posterior, last 2 answers": (16, 2), "posterior, last 4 answers": (16, 4), FITTED: (16, 4)}
CANDIDATES = ("posterior, last 2 answers", "posterior, last 4 answers", FITTED)
FIRST_PRIOR = 10.0  # as insight.guessing.FIRST_PRIOR


class Tracks:
    """Per item and variant, what the posterior replay knows; per type, the running share of right first answers."""

    def __init__(self, config: SchedulerConfig) -> None:
        self.config = config
        self.full: dict[str, dict[str, Posterior]] = {}
        self.history: dict[str, list[tuple[CardState | None, Answer]]] = {}
        self.firsts: dict[str, list[float]] = {}  # type: [right, answers, sum of g]
        self.kinds: dict[str, str] = {}
        self.fitted: dict[str, float] = {}  # type: g fitted by `refit`

    def refit(self) -> None:
        """g per type fitted on the last-4 windows' answers to items already seen (plain R before each answer)."""
        pairs: dict[str, list[tuple[float, bool]]] = {}
        nominal: dict[str, float] = {}
        for item_id, history in self.history.items():
            kind = self.kinds[item_id]
            for card, a in history[-VARIANTS[FITTED][1] :]:
                if card is not None and a.guess > 0:
                    pairs.setdefault(kind, []).append((retrievability(card, a.reviewed_at, self.config), a.rating != AGAIN))
                    nominal[kind] = a.guess
        self.fitted = {kind: fit_guess(found, nominal[kind]) for kind, found in pairs.items()}

    def prior(self, kind: str, g: float) -> float:
        """The chance an item of `kind` was known at first sight, from the first answers so far (as `guessing.first_sight`)."""
        right, n, g_sum = self.firsts.get(kind, [0.0, 0.0, 0.0])
        share = (right + FIRST_PRIOR * (g_sum / n if n else g)) / (n + FIRST_PRIOR)
        return min(1.0, max(0.0, (share - g) / (1 - g))) if g < 1 else 0.0

    def recall(self, item_id: str, at: datetime) -> dict[str, float | None]:
        """Each variant's recall of the item at `at` (None: never answered)."""
        history = self.history.get(item_id)
        if not history:
            return dict.fromkeys(VARIANTS)
        out: dict[str, float | None] = {}
        for name, (keep, last) in VARIANTS.items():
            if last is None:
                out[name] = self.full[item_id][name].recall(at, self.config)
            else:
                start, _ = history[max(0, len(history) - last)]
                window = [a for _, a in history[-last:]]
                if name == FITTED:
                    window = [self._refitted(self.kinds[item_id], a) for a in window]
                out[name] = belief_recall(posterior_replay(window, self.config, keep=keep, start=start), at, self.config)
        return out

    def _refitted(self, kind: str, answer: Answer) -> Answer:
        g = self.fitted.get(kind, answer.guess)
        return Answer(answer.reviewed_at, answer.rating, g, None if answer.prior is None else self.prior(kind, g))

    def answer(self, item_id: str, kind: str, card_before: CardState | None, at: datetime, rating: Rating, g: float, right: bool) -> None:
        new = item_id not in self.history
        self.kinds[item_id] = kind
        answer = Answer(at, rating, g, self.prior(kind, g) if new else None)
        if new:
            self.full[item_id] = {name: Posterior(keep=keep) for name, (keep, last) in VARIANTS.items() if last is None}
            tally = self.firsts.setdefault(kind, [0.0, 0.0, 0.0])
            tally[0], tally[1], tally[2] = tally[0] + right, tally[1] + 1, tally[2] + g
        self.history.setdefault(item_id, []).append((card_before, answer))
        for post in self.full[item_id].values():
            post.observe(answer, self.config)

    def windows(self, last: int | None) -> dict[str, tuple[CardState | None, list[tuple[datetime, Rating]]]]:
        """Per item, the plain card before its last `last` answers (all: None) and those answers (as `store.answer_windows`)."""
        out = {}
        for item_id, history in self.history.items():
            cut = 0 if last is None else max(0, len(history) - last)
            out[item_id] = (history[cut][0], [(a.reviewed_at, a.rating) for _, a in history[cut:]])
        return out
