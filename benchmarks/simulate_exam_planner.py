"""Does the exam-date planner help? Simulated learners study a bank up to an exam under three schedulers.

Each learner's memory follows FSRS-6 with their own parameters (the defaults, each perturbed by a
seeded log-normal factor); they recall an item with the probability their own forgetting curve
gives. The schedulers only know the default parameters. Compared, on the same learners:

- plain FSRS: certdrill's scheduler and queue without an exam date;
- the exam planner: the same with the exam date (reviews pulled into the final week when predicted
  recall on exam day would fall below the target, exam-day order in the final days), once with the
  target at the everyday desired retention (0.9) and once at certdrill's default (EXAM_DAY_RETENTION);
- SM-2: the SuperMemo 2 baseline, implemented here (it is the baseline, not product code).

Exam-day recall is the mean true recall over the whole bank on the exam morning (items never seen
count 0). Run: python benchmarks/simulate_exam_planner.py   (seeded: the same table every run)
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ["TZ"] = "UTC"  # days are local days; pin them so every machine gets the same table
if hasattr(time, "tzset"):
    time.tzset()

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from certdrill.bank.items import Item
from certdrill.clock import day_bounds, local_midnight
from certdrill.insight.plan import exam_focus
from certdrill.schedule.queue import Limits, build_queue, interleave_topics
from certdrill.schedule.scheduler import AGAIN, EXAM_DAY_RETENTION, GOOD, SchedulerConfig, retrievability, review

REQUEUE_GAP = 3  # a miss comes back this many questions later (the session before issue 12)

START = datetime(2027, 1, 4, 9, tzinfo=UTC)  # sessions at 09:00 every day
ANSWER_SECONDS = 30
PARAMETER_SPREAD = 0.25  # sd of log(factor) applied to each default parameter
FIRST_SIGHT = (0.15, 0.45)  # range of a learner's chance to know an item before studying it


@dataclass(frozen=True)
class Scenario:
    name: str
    items: int
    days: int
    limits: Limits


SCENARIOS = (
    Scenario("roomy", 300, 60, Limits(new_per_day=20, reviews_per_day=200)),
    Scenario("tight", 300, 60, Limits(new_per_day=8, reviews_per_day=40)),
)
POLICIES = ("plain FSRS", "planner, exam-day target 0.9", f"planner, exam-day target {EXAM_DAY_RETENTION} (default)", "SM-2")


def scheduler_config(policy: str, exam_at: datetime) -> SchedulerConfig:
    if policy == POLICIES[1]:
        return SchedulerConfig(exam_date=exam_at, exam_retention=0.9)
    if policy == POLICIES[2]:
        return SchedulerConfig(exam_date=exam_at)
    return SchedulerConfig()


@dataclass(frozen=True)
class Learner:
    seed: int
    parameters: tuple[float, ...]
    first_sight: float


def make_learner(seed: int) -> Learner:
    rng = random.Random(seed)
    params = tuple(
        min(hi, max(lo, w * math.exp(rng.gauss(0, PARAMETER_SPREAD)))) if w else w
        for w, lo, hi in zip(DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
    )
    return Learner(seed, params, rng.uniform(*FIRST_SIGHT))


class Memory:
    """What the learner really remembers: FSRS-6 under their own parameters, recall on a continuous clock."""

    def __init__(self, learner: Learner):
        self.scheduler = fsrs.Scheduler(parameters=learner.parameters, enable_fuzzing=False)
        self.decay = -learner.parameters[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        self.cards: dict[str, fsrs.Card] = {}
        self.first_sight = learner.first_sight

    def recall(self, item_id: str, at: datetime) -> float:
        card = self.cards.get(item_id)
        if card is None or card.stability is None:
            return 0.0
        days = max(0.0, (at - card.last_review).total_seconds() / 86400)
        return (1 + self.factor * days / card.stability) ** self.decay

    def answer(self, item_id: str, at: datetime, rng: random.Random) -> bool:
        p = self.first_sight if item_id not in self.cards else self.recall(item_id, at)
        right = rng.random() < p
        card = self.cards.get(item_id) or fsrs.Card(card_id=len(self.cards) + 1)
        self.cards[item_id], _ = self.scheduler.review_card(card, fsrs.Rating.Good if right else fsrs.Rating.Again, review_datetime=at)
        return right


@dataclass
class Sm2Card:
    due: datetime
    ef: float = 2.5
    reps: int = 0
    interval: int = 0


def sm2(card: Sm2Card | None, quality: int, at: datetime) -> Sm2Card:
    """SuperMemo 2 (Wozniak 1990): intervals 1, 6, then × EF; a grade below 3 starts the item over."""
    card = card or Sm2Card(at)
    if quality >= 3:
        card.interval = 1 if card.reps == 0 else 6 if card.reps == 1 else round(card.interval * card.ef)
        card.reps += 1
    else:
        card.reps, card.interval = 0, 1
    card.ef = max(1.3, card.ef + 0.1 - (5 - quality) * (0.08 + (5 - quality) * 0.02))
    card.due = at + timedelta(days=card.interval)
    return card


@dataclass
class Run:
    reviews: int = 0
    wrong: int = 0
    seen: set = field(default_factory=set)


def simulate(scenario: Scenario, learner: Learner, policy: str) -> tuple[float, int, int, float]:
    """(exam-day recall, reviews, items seen, share of items recalled with probability ≥ 0.9 on exam day)."""
    items = [
        Item(id=f"i{n:03d}", type="flashcard", topic=f"t{n % 10}", prompt="", choices=(), answer=(), explanation="", back="") for n in range(scenario.items)
    ]
    exam_at = local_midnight((START + timedelta(days=scenario.days)).date())
    config = scheduler_config(policy, exam_at)
    focus = exam_focus(config)
    memory = Memory(learner)
    rng = random.Random(learner.seed * 7919 + scenario.items)
    cards: dict = {}
    run = Run()
    fresh_order = interleave_topics(items)
    for day in range(scenario.days):
        now = START + timedelta(days=day)
        _, day_end = day_bounds(now)
        if policy == "SM-2":
            due = sorted((i for i in items if i.id in cards and cards[i.id].due < day_end), key=lambda i: (cards[i.id].due, i.id))
            new = [i for i in fresh_order if i.id not in cards]
            todo = due[: scenario.limits.reviews_per_day] + new[: scenario.limits.new_per_day]
        else:
            queue = build_queue(
                items, cards, now=now, day_end=day_end, limits=scenario.limits, recall=lambda c, at=now: retrievability(c, at, config), exam=focus
            )
            todo = list(queue.items)
        pending, at = deque(todo), now
        while pending:
            item = pending.popleft()
            at += timedelta(seconds=ANSWER_SECONDS)
            right = memory.answer(item.id, at, rng)
            run.reviews += 1
            run.seen.add(item.id)
            if policy == "SM-2":
                cards[item.id] = sm2(cards.get(item.id), 4 if right else 2, at)
            else:
                cards[item.id] = review(cards.get(item.id), GOOD if right else AGAIN, at, f"{learner.seed}:{day}:{run.reviews}", config)
            if not right:
                run.wrong += 1
                pending.insert(min(REQUEUE_GAP, len(pending)), item)
    exam_morning = exam_at + timedelta(hours=9)
    recalls = [memory.recall(i.id, exam_morning) for i in items]
    return statistics.fmean(recalls), run.reviews, len(run.seen), sum(r >= 0.9 for r in recalls) / len(recalls)


def _job(args):
    scenario, seed, policy = args
    return scenario.name, policy, seed, simulate(scenario, make_learner(seed), policy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30, help="learners per scenario (default 30)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(s, 1000 + n, p) for s in SCENARIOS for n in range(args.learners) for p in POLICIES]
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(_job, jobs, chunksize=4)
    by = {(name, policy, seed): r for name, policy, seed, r in results}
    print(f"{args.learners} learners a scenario, {len(jobs)} runs in {time.perf_counter() - started:.0f} s\n")
    print("| scenario | policy | exam-day recall | items ≥ 0.9 on exam day | reviews | items seen | recall vs plain FSRS (paired, 95% CI) |")
    print("|---|---|---:|---:|---:|---:|---|")
    for s in SCENARIOS:
        seeds = range(1000, 1000 + args.learners)
        for policy in POLICIES:
            rows = [by[(s.name, policy, seed)] for seed in seeds]
            recall = statistics.fmean(r[0] for r in rows)
            sd = statistics.stdev(r[0] for r in rows) if len(rows) > 1 else 0.0
            diffs = [by[(s.name, policy, seed)][0] - by[(s.name, "plain FSRS", seed)][0] for seed in seeds]
            if policy == "plain FSRS" or len(diffs) < 2:
                versus = "–"
            else:
                half = 1.96 * statistics.stdev(diffs) / math.sqrt(len(diffs))
                versus = f"{100 * statistics.fmean(diffs):+.2f} pts (±{100 * half:.2f})"
            label = f"{s.name}: {s.items} items, {s.days} days, {s.limits.new_per_day} new/{s.limits.reviews_per_day} reviews a day"
            print(
                f"| {label} | {policy} | {100 * recall:.1f}% (sd {100 * sd:.1f}) | {100 * statistics.fmean(r[3] for r in rows):.1f}% "
                f"| {statistics.fmean(r[1] for r in rows):.0f} | {statistics.fmean(r[2] for r in rows):.0f} | {versus} |"
            )


if __name__ == "__main__":
    main()
