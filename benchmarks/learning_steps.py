"""How many days a new item needs to leave learning: daily sessions before and after issue 12.

Simulates one session a day (09:00, 30 seconds an answer) over a bank of single-choice items, every
answer rated by a fixed policy: always Good, always Hard (right, but hard), or mixed (a seeded
draw per answer: 20% Again, 30% Hard, 40% Good, 10% Easy). For each item it records the first day
at whose end the card is in review (left learning), and how many answers it took.

- before: the session as it was — today's queue asked once, a miss asked again 3 questions later,
  a right answer never asked again the same day; fsrs's steps alone (a Hard repeats the step
  however late it is taken).
- after: certdrill's Session (learning steps served within the learn-ahead limit, at most 3 asks
  an item a session) and scheduler (a step taken 12 hours or more late ends on a right answer).

    python benchmarks/learning_steps.py [--items 20] [--days 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from certdrill.bank.items import LETTERS, Item
from certdrill.drill.session import QUESTION, REVEAL, Rules, Session
from certdrill.schedule.queue import Limits, build_queue, interleave_topics
from certdrill.schedule.scheduler import AGAIN, EASY, GOOD, HARD, CardState, SchedulerConfig, retrievability, review

START = datetime(2027, 1, 4, 9, tzinfo=UTC)
ANSWER = timedelta(seconds=30)
OLD_GAP = 3  # where the old session put a miss back in its queue
MARKS = {HARD: "?", GOOD: "", EASY: "!"}


def policy(name: str, seed: int) -> Callable[[str], int]:
    rng = random.Random(seed)
    if name == "good":
        return lambda _item: GOOD
    if name == "hard":
        return lambda _item: HARD
    return lambda _item: rng.choices((AGAIN, HARD, GOOD, EASY), weights=(20, 30, 40, 10))[0]


@dataclass
class Run:
    left_on: dict[str, int]  # item → the day (1-based) at whose end it was first in review
    answers: dict[str, int]  # item → answers until then


def items_of(count: int) -> list[Item]:
    return [Item(f"i{n:03d}", "single", "t", f"p{n}", ("a", "b", "c", "d"), (0,), "e") for n in range(count)]


def _queue(items: list[Item], cards: dict[str, CardState], now: datetime, new_done: int, learn_ahead: timedelta | None) -> list[Item]:
    day_end = now + timedelta(hours=15)
    queue = build_queue(
        items, cards, now=now, day_end=day_end, limits=Limits(len(items), 10_000), recall=lambda c: retrievability(c, now), learn_ahead=learn_ahead
    )
    return list(queue.items)


def day_before(items: list[Item], cards: dict[str, CardState], now: datetime, rate: Callable[[str], int], counts: dict[str, int]) -> None:
    config = SchedulerConfig(step_expiry=None)
    pending = deque(_queue(items, cards, now, 0, None))
    n = 0
    while pending:
        item = pending.popleft()
        now += ANSWER
        rating = rate(item.id)
        n += 1
        counts[item.id] = counts.get(item.id, 0) + 1
        cards[item.id] = review(cards.get(item.id), rating, now, f"{now.isoformat()}:{n}", config)
        if rating == AGAIN:
            pending.insert(min(OLD_GAP, len(pending)), item)


def day_after(items: list[Item], cards: dict[str, CardState], now: datetime, rate: Callable[[str], int], counts: dict[str, int]) -> None:
    rules = Rules(pause_after_answer=False)
    session = Session(_queue(items, cards, now, 0, rules.learn_ahead), cards, bank="sim", rules=rules, rng=random.Random(now.toordinal()))
    step = session.start(now)
    while step.kind in (QUESTION, REVEAL) and step.question is not None:
        item, order = step.question.item, step.question.order
        now += ANSWER
        rating = rate(item.id)
        counts[item.id] = counts.get(item.id, 0) + 1
        wrong = next(i for i in range(len(item.choices)) if i not in item.answer)
        typed = LETTERS[order.index(wrong)] if rating == AGAIN else LETTERS[order.index(item.answer[0])] + MARKS[rating]
        step = session.handle(typed, now)


def simulate(mode: str, name: str, *, count: int, days: int, seed: int) -> Run:
    items = interleave_topics(items_of(count))
    cards: dict[str, CardState] = {}
    rate = policy(name, seed)
    left_on: dict[str, int] = {}
    counts: dict[str, int] = {}
    answers: dict[str, int] = {}
    run_day = day_before if mode == "before" else day_after
    for day in range(days):
        run_day(items, cards, START + timedelta(days=day), rate, counts)
        for item_id, card in cards.items():
            if card.state == 2 and item_id not in left_on:
                left_on[item_id], answers[item_id] = day + 1, counts[item_id]
    return Run(left_on, answers)


def summary(run: Run, count: int, days: int) -> str:
    if not run.left_on:
        return f"never (0 of {count} in {days} days)"
    spans = sorted(run.left_on.values())
    stuck = count - len(spans)
    text = f"{statistics.median(spans):g} (max {spans[-1]}), {statistics.median(run.answers.values()):g} answers"
    return text + (f"; {stuck} of {count} still learning after {days} days" if stuck else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"{args.items} new items, one session a day for {args.days} days; days to leave learning: median (max), answers an item took")
    print()
    print("| ratings | before (main) | after (issue 12) |")
    print("|---|---|---|")
    for name in ("good", "hard", "mixed"):
        before = simulate("before", name, count=args.items, days=args.days, seed=args.seed)
        after = simulate("after", name, count=args.items, days=args.days, seed=args.seed)
        print(f"| {name} | {summary(before, args.items, args.days)} | {summary(after, args.items, args.days)} |")


if __name__ == "__main__":
    main()
