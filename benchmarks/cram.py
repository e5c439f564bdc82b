"""Does cramming before an exam lower later retention? Simulated learners study, cram, sit the exam, go on.

Each learner's memory follows FSRS-6 with their own parameters (the defaults, each perturbed by a
seeded log-normal factor, as in simulate_exam_planner.py); the scheduler knows only the defaults.
Every learner studies a bank daily with certdrill's queue and session (`drill.session.Session`:
learning steps within the learn-ahead limit, at most 3 asks) up to an exam, and in the final
CRAM_DAYS days also crams CRAM_PER_DAY items that are not due (`drill.cram.cram_items`: lowest
predicted recall first), in a session of kind `cram` under the same rules. After the exam they go on studying daily. Compared, on the same learners
and the same random draws:

- no cram;
- cram, scheduled by FSRS (what certdrill does): each cram answer is a review of the card, taken by
  FSRS as an early review (its elapsed time is short, its recall high, so its stability gain small);
- cram, kept out of scheduling: memory gets the practice (each item once), the cards do not hear of it.

Figures: mean true recall over the bank on exam morning, 30 and 60 days after; the share of the
reviews after the exam answered right (true retention); and reviews in the 60 days after.
Run: python benchmarks/cram.py   (seeded: the same table every run)
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simulate_exam_planner import START, Memory, make_learner

from certdrill.bank.items import Item
from certdrill.clock import day_bounds
from certdrill.drill import session as session_module
from certdrill.drill.cram import cram_items
from certdrill.drill.session import Rules, Session
from certdrill.schedule.queue import Limits, build_queue
from certdrill.schedule.review_log import ReviewKind
from certdrill.schedule.scheduler import SchedulerConfig, retrievability

ITEMS, STUDY_DAYS, AFTER_DAYS = 300, 45, 60
LIMITS = Limits(new_per_day=15, reviews_per_day=200)
CRAM_DAYS, CRAM_PER_DAY = 5, 40
POLICIES = ("no cram", "cram, scheduled by FSRS (certdrill)", "cram, kept out of scheduling")
ANSWER_SECONDS = 30
RULES = Rules(pause_after_answer=False)
_ids = itertools.count()


def _seeded_id(at: datetime | None = None, *, after: str | None = None) -> str:
    """Review ids seed the due-date fuzz: counted per learner (not random) so that the table repeats."""
    return f"{next(_ids):032x}"


session_module.new_review_id = _seeded_id  # type: ignore[assignment]


def session(
    todo: list[Item], cards: dict, now: datetime, config: SchedulerConfig, kind: ReviewKind, answer: Callable[[str, datetime], bool]
) -> tuple[datetime, int]:
    """certdrill's session over `todo` (flashcards: Enter, then 3 if recalled, else 1): when it ended, and its answers."""
    run = Session(todo, cards, bank="sim", kind=kind, config=config, rules=RULES, rng=random.Random(0))
    step, at = run.start(now), now
    while step.question is not None:
        item = step.question.item
        run.handle("", at)
        at += timedelta(seconds=ANSWER_SECONDS)
        step = run.handle("3" if answer(item.id, at) else "1", at)
    return at, run.tally.answered


def simulate(seed: int, policy: str) -> tuple[float, float, float, float, int, int]:
    """(recall on exam morning, +30 days, +60 days, true retention after the exam, reviews after, cram answers)."""
    global _ids
    _ids = itertools.count()
    learner = make_learner(seed)
    items = [Item(id=f"i{n:03d}", type="flashcard", topic=f"t{n % 10}", prompt="", choices=(), answer=(), explanation="", back="") for n in range(ITEMS)]
    config = SchedulerConfig()
    memory = Memory(learner)
    rng = random.Random(seed * 7919)
    cram_rng = random.Random(seed * 104729)  # cram's own draws, so the study draws stay aligned across policies
    cards: dict = {}
    after = {"reviews": 0, "right": 0}
    crammed = 0
    exam_day = STUDY_DAYS
    snapshots: dict[int, float] = {}  # day → mean true recall over the bank that morning, before the session
    for day in range(STUDY_DAYS + AFTER_DAYS + 1):
        now = START + timedelta(days=day)
        _, day_end = day_bounds(now)
        if day - exam_day in (0, 30, 60):
            snapshots[day - exam_day] = statistics.fmean(memory.recall(i.id, now - timedelta(hours=1)) for i in items)
        queue = build_queue(items, cards, now=now, day_end=day_end, limits=LIMITS, recall=lambda c, at=now: retrievability(c, at, config))

        def studied(item_id: str, at: datetime, day: int = day) -> bool:
            right = memory.answer(item_id, at, rng)
            if day > exam_day:
                after["reviews"] += 1
                after["right"] += right
            return right

        at, _ = session(list(queue.items), cards, now, config, "study", studied)
        if policy != POLICIES[0] and exam_day - CRAM_DAYS <= day < exam_day:
            todo = cram_items(items, cards, day_end=day_end, recall=lambda c, at=at: retrievability(c, at, config), count=CRAM_PER_DAY)
            if policy == POLICIES[1]:
                _, answers = session(todo, cards, at, config, "cram", lambda item_id, at: memory.answer(item_id, at, cram_rng))
                crammed += answers
            else:
                for item in todo:
                    at += timedelta(seconds=ANSWER_SECONDS)
                    memory.answer(item.id, at, cram_rng)
                    crammed += 1
    return (
        snapshots[0],
        snapshots[30],
        snapshots[60],
        after["right"] / max(after["reviews"], 1),
        after["reviews"],
        crammed,
    )


def _job(args):
    seed, policy = args
    return policy, seed, simulate(seed, policy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20, help="learners (default 20)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    jobs = [(2000 + n, p) for n in range(args.learners) for p in POLICIES]
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(_job, jobs)
    by_policy = {p: [r for policy, _, r in results if policy == p] for p in POLICIES}
    base = {seed: r for policy, seed, r in results if policy == POLICIES[0]}
    print(
        f"{args.learners} learners, {ITEMS} items, {STUDY_DAYS} days of study, cram {CRAM_PER_DAY}/day in the last {CRAM_DAYS} days, then {AFTER_DAYS} days on"
    )
    print(
        "| policy | recall on exam morning | +30 days | +60 days | true retention after the exam | reviews after | cram answers | learners whose +60-day recall fell vs no cram |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for policy, rows in by_policy.items():
        cols = list(zip(*rows, strict=True))
        worse = sum(1 for policy_, seed, r in results if policy_ == policy and r[2] < base[seed][2] - 1e-9)
        print(
            f"| {policy} | {statistics.fmean(cols[0]):.3f} | {statistics.fmean(cols[1]):.3f} | {statistics.fmean(cols[2]):.3f} | "
            f"{statistics.fmean(cols[3]):.3f} | {statistics.fmean(cols[4]):.0f} | {statistics.fmean(cols[5]):.0f} | {worse} of {len(rows)} |"
        )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
