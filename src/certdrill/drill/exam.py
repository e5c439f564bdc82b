"""The mock exam, pure: draw questions by topic weight, move between them against a deadline, score.

Like the session, it never reads the clock or the terminal: the caller passes `now` and each
line typed, and saves the answer a Step names before reading the next line.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from certdrill.bank.items import Item
from certdrill.drill.grading import AnswerParseError, grade_answer, parse_answer
from certdrill.schedule.review_log import Review, new_review_id
from certdrill.schedule.scheduler import CardState, SchedulerConfig, review

ELIGIBLE_TYPES = frozenset({"single", "multi", "truefalse"})
DEFAULT_COUNT = 65
MIN_SCALED, MAX_SCALED, PASS_SCALED = 100, 1000, 720

# What a Step asks the UI to do next.
QUESTION = "question"  # show the current question
OVERVIEW = "overview"  # show every question with its answered/flagged marks
CONFIRM = "confirm"  # ask y/n; the next line answers it
NOTICE = "notice"  # print the message and read again
SUBMITTED = "submitted"
EXPIRED = "expired"  # time ran out: submitted as it stands
ABANDONED = "abandoned"
FINAL = frozenset({SUBMITTED, EXPIRED, ABANDONED})
TIME_UP = "Time is up: the exam is submitted as it stands; unanswered questions count as wrong."


def weight_of(weights: Mapping[str, float], topic: str) -> float:
    return weights.get(topic, 1.0)


def eligible(items: Sequence[Item], weights: Mapping[str, float]) -> list[Item]:
    """Multiple-choice items that are reviewed and in a topic that weighs something."""
    return [i for i in items if i.type in ELIGIBLE_TYPES and i.status == "active" and weight_of(weights, i.topic) > 0]


def allocate(available: Mapping[str, int], weights: Mapping[str, float], count: int) -> dict[str, int]:
    """Questions per topic in proportion to weight, by largest remainder, each capped at what the topic has.

    A topic too small for its share gives the rest back to the others, shared again by weight.
    Ties in the remainder go to the heavier topic, then to the name, so the split is deterministic.
    """
    share = dict.fromkeys(available, 0)
    open_ = {t for t, n in available.items() if n > 0 and weight_of(weights, t) > 0}
    left = min(count, sum(available[t] for t in open_))
    while left > 0 and open_:
        total = sum(weight_of(weights, t) for t in open_)
        quota = {t: left * weight_of(weights, t) / total for t in open_}
        seats = {t: math.floor(q) for t, q in quota.items()}
        by_remainder = sorted(open_, key=lambda t: (seats[t] - quota[t], -weight_of(weights, t), t))
        for t in by_remainder[: left - sum(seats.values())]:
            seats[t] += 1
        full = {t for t in open_ if seats[t] >= available[t]}
        if not full:
            share.update(seats)
            break
        for t in full:
            share[t] = available[t]
            left -= available[t]
        open_ -= full
    return share


def draw_exam(items: Sequence[Item], weights: Mapping[str, float], count: int, rng: random.Random) -> list[Item]:
    """A weighted sample of eligible items, topics mixed; at most as many as are eligible."""
    by_topic: dict[str, list[Item]] = {}
    for item in eligible(items, weights):
        by_topic.setdefault(item.topic, []).append(item)
    share = allocate({t: len(v) for t, v in by_topic.items()}, weights, count)
    drawn = [item for topic in sorted(by_topic) for item in rng.sample(by_topic[topic], share[topic])]
    rng.shuffle(drawn)
    return drawn


def choice_order(item: Item, seed: int) -> tuple[int, ...]:
    """Display position → choice index; fixed by the exam's seed so a question looks the same when revisited."""
    order = list(range(len(item.choices)))
    if item.type in ("single", "multi"):
        random.Random(f"{seed}:{item.id}").shuffle(order)
    return tuple(order)


def exam_score(correct: int, total: int) -> int:
    """100 + 900 × correct / total, rounded half up: a linear stand-in, as AWS's scaling is not public."""
    if total <= 0:
        return MIN_SCALED
    return math.floor(MIN_SCALED + (MAX_SCALED - MIN_SCALED) * correct / total + 0.5)


def format_left(left: timedelta) -> str:
    seconds = max(0, math.ceil(left.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass(frozen=True)
class Step:
    kind: str
    message: str = ""
    changed: int | None = None  # position whose answer or flag changed: save it before going on


@dataclass(frozen=True)
class TopicScore:
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0


@dataclass(frozen=True)
class Result:
    total: int
    answered: int
    correct: int
    scaled: int
    passed: bool
    per_topic: dict[str, TopicScore]
    missed: tuple[int, ...]  # positions answered wrong or not at all


_GOTO = re.compile(r"(?:g|go|goto)?\s*(\d+)")
_NEXT = {"", "n", "next"}
_PREV = {"p", "prev", "previous", "back"}
_YES = {"y", "yes"}
FLAG_WORDS = {"!", "flag"}  # not `f`: that is False on a true/false question, as in study


@dataclass
class Exam:
    """Answers are kept as choice indices in file order, like the review log."""

    items: tuple[Item, ...]
    started_at: datetime
    minutes: float
    seed: int
    answers: list[tuple[int, ...] | None] = field(default_factory=list)
    answered_at: list[datetime | None] = field(default_factory=list)
    flagged: list[bool] = field(default_factory=list)
    current: int = 0  # 0-based position
    pending: str | None = None  # "submit" or "quit" while a y/n is asked

    def __post_init__(self) -> None:
        n = len(self.items)
        self.answers = self.answers or [None] * n
        self.answered_at = self.answered_at or [None] * n
        self.flagged = self.flagged or [False] * n

    @property
    def deadline(self) -> datetime:
        return self.started_at + timedelta(minutes=self.minutes)

    def left(self, now: datetime) -> timedelta:
        return max(self.deadline - now, timedelta(0))

    def expired(self, now: datetime) -> bool:
        return now >= self.deadline

    def item(self, position: int | None = None) -> Item:
        return self.items[self.current if position is None else position]

    def order(self, position: int | None = None) -> tuple[int, ...]:
        return choice_order(self.item(position), self.seed)

    def unanswered(self) -> list[int]:
        return [p for p, a in enumerate(self.answers) if a is None]

    def flagged_positions(self) -> list[int]:
        return [p for p, f in enumerate(self.flagged) if f]

    def answered_count(self) -> int:
        return len(self.items) - len(self.unanswered())

    def start(self, now: datetime) -> Step:
        """What to show first: the current question, or, when resumed too late, the end."""
        return Step(EXPIRED, TIME_UP) if self.expired(now) else Step(QUESTION)

    def end_of_input(self, now: datetime) -> Step:
        return Step(EXPIRED, TIME_UP) if self.expired(now) else Step(SUBMITTED)

    def handle(self, line: str, now: datetime) -> Step:
        """One line typed at `now`: a command, an answer, or the y/n to a pending question."""
        if self.expired(now):
            return Step(EXPIRED, f"{TIME_UP} What was typed after the deadline does not count.")
        word = line.strip().lower()
        if self.pending is not None:
            asked, self.pending = self.pending, None
            if word in _YES:
                return Step(SUBMITTED if asked == "submit" else ABANDONED)
            return Step(NOTICE, "Not submitted." if asked == "submit" else "Carrying on.")
        if word in _NEXT:
            return self._go(self.current + 1)
        if word in _PREV:
            return self._go(self.current - 1)
        if word in FLAG_WORDS:
            self.flagged[self.current] = not self.flagged[self.current]
            state = "flagged for review" if self.flagged[self.current] else "no longer flagged"
            return Step(NOTICE, f"Question {self.current + 1} {state}.", changed=self.current)
        if word in ("l", "list"):
            return Step(OVERVIEW)
        if word in ("s", "submit"):
            return self._submit()
        if word in ("q", "quit"):
            self.pending = "quit"
            answered = self.answered_count()
            return Step(CONFIRM, f"Abandon this exam? It is not scored; your {answered} {'answer is' if answered == 1 else 'answers are'} kept as reviews.")
        goto = _GOTO.fullmatch(word)
        if goto:
            return self._go(int(goto.group(1)) - 1, jump=True)
        return self._answer(line, now)

    def _go(self, position: int, *, jump: bool = False) -> Step:
        if jump and not 0 <= position < len(self.items):
            return Step(NOTICE, f"There are questions 1 to {len(self.items)}.")
        if position < 0:
            return Step(NOTICE, "This is the first question.")
        if position >= len(self.items):
            return Step(OVERVIEW, "That was the last question: g N goes back to one, s submits.")
        self.current = position
        return Step(QUESTION)

    def _submit(self) -> Step:
        unanswered, flagged = len(self.unanswered()), len(self.flagged_positions())
        if not unanswered and not flagged:
            return Step(SUBMITTED)
        self.pending = "submit"
        parts = [f"{unanswered} unanswered"] if unanswered else []
        parts += [f"{flagged} flagged"] if flagged else []
        return Step(CONFIRM, f"{' and '.join(parts).capitalize()}. Submit anyway?")

    def _answer(self, line: str, now: datetime) -> Step:
        item, order = self.item(), self.order()
        try:
            positions = parse_answer(item, line, len(order))
        except AnswerParseError as exc:
            return Step(NOTICE, f"{exc} (or: n next, p back, g N go to, ! flag, l list, s submit, q abandon)")
        position = self.current
        self.answers[position] = tuple(sorted(order[p] for p in positions))
        self.answered_at[position] = now
        step = self._go(position + 1)
        return Step(step.kind, step.message, changed=position)

    def score(self) -> Result:
        """Unanswered questions count as wrong, like the real exam."""
        per_topic: dict[str, list[int]] = {}
        missed = []
        for position, item in enumerate(self.items):
            chosen = self.answers[position]
            right = chosen is not None and grade_answer(item, chosen).correct
            tally = per_topic.setdefault(item.topic, [0, 0])
            tally[0] += int(right)
            tally[1] += 1
            if not right:
                missed.append(position)
        total = len(self.items)
        correct = total - len(missed)
        scaled = exam_score(correct, total)
        topics = {t: TopicScore(c, n) for t, (c, n) in sorted(per_topic.items())}
        return Result(total, self.answered_count(), correct, scaled, scaled >= PASS_SCALED, topics, tuple(missed))

    def reviews(
        self, cards: Mapping[str, CardState], *, bank: str, session_id: str, config: SchedulerConfig = SchedulerConfig()
    ) -> list[tuple[Review, CardState]]:
        """Each answered question as a review (Good if right, Again if wrong) at the time it was answered."""
        answered = [p for p in range(len(self.items)) if self.answers[p] is not None]
        answered.sort(key=lambda p: (self.answered_at[p], p))
        out = []
        for position in answered:
            item, chosen, at = self.items[position], self.answers[position], self.answered_at[position]
            assert chosen is not None and at is not None  # answered, so both are set
            grade = grade_answer(item, chosen)
            rid = new_review_id(at)
            card = review(cards.get(item.id), grade.rating, at, rid, config)
            out.append((Review(rid, item.id, bank, at, grade.rating, chosen, grade.correct, None, "exam", session_id), card))
        return out
