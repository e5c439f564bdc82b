"""Does `certdrill optimize` help? Default vs fitted FSRS parameters on held-out reviews.

Two kinds of log:
- simulated learners (said plainly: not real people) whose memory follows FSRS-6 with their own
  parameters, drawn around the defaults; certdrill's default scheduler decides when each item comes
  back, every day, as in real use. Known parameters let us ask whether fitting recovers them.
- the real learner's Anki log in ../shared/data (12,580 reviews of 1,205 cards; see its SOURCE.txt).

Scores are certdrill.insight.optimize's own: a time-series split (fit on the earlier reviews, score the next
ones, five folds), log loss and RMSE(bins), lower is better. Recovery compares, for the initial
stabilities w0 and w2 and the success factor w8, how far the defaults and the fit are from the truth
(mean |ln(w / w_true)|).

    python benchmarks/optimize_report.py [--learners 8] [--items 300] [--days 365]
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from itertools import groupby
from pathlib import Path

import fsrs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from certdrill.insight import optimize as core  # noqa: E402
from certdrill.schedule.scheduler import SchedulerConfig, default_parameters, parameter_bounds, review  # noqa: E402

REAL_LOG = ROOT.parent / "shared" / "data" / "py-fsrs_review_logs_josh_1711744352250_to_1728234780857.csv"
START = datetime(2025, 1, 1, 9, tzinfo=UTC)
SPREAD = 0.5  # each true parameter is the default times e^N(0, 0.5), within fsrs's bounds
# What a pass/fail log can tell: the first answer is Again or Good, so w0 and w2 are the initial
# stabilities it shows (w1 Hard and w3 Easy never occur), and w8 is how much a success stretches one.
RECOVERED = (0, 2, 8)


def learner_parameters(seed: int) -> tuple[float, ...]:
    rng = random.Random(seed)
    return tuple(
        min(hi, max(lo, w * math.exp(rng.gauss(0, SPREAD)))) if i in RECOVERED else w
        for i, (w, (lo, hi)) in enumerate(zip(default_parameters(), parameter_bounds(), strict=True))
    )


def simulate(true: tuple[float, ...], items: int, days: int, seed: int, new_per_day: int = 10) -> list[list[tuple[int, int]]]:
    """Each item's log as (ms, rating): the learner answers right with their true recall."""
    rng = random.Random(seed)
    memory = fsrs.Scheduler(parameters=true, enable_fuzzing=False)
    truth: dict[int, fsrs.Card] = {}
    cards: dict[int, object] = {}
    logs: dict[int, list[tuple[int, int]]] = {}
    for day in range(days):
        now = START + timedelta(days=day)
        fresh = [n for n in range(items) if n not in cards][:new_per_day]
        due = [n for n, card in cards.items() if card.due <= now + timedelta(hours=12)]
        for n in due + fresh:
            card = truth.get(n)
            recall = memory.get_card_retrievability(card, now) if card is not None else 0.5
            rating = 3 if rng.random() < recall else 1
            truth[n], _ = memory.review_card(card or fsrs.Card(), fsrs.Rating(rating), review_datetime=now)
            cards[n] = review(cards.get(n), rating, now, f"{n}-{day}", SchedulerConfig())
            logs.setdefault(n, []).append((int(now.timestamp() * 1000), rating))
    return list(logs.values())


def real_logs() -> list[list[tuple[int, int]]]:
    with REAL_LOG.open() as fh:
        rows = [(r["card_id"], int(datetime.fromisoformat(r["review_time"]).timestamp() * 1000), int(r["review_rating"])) for r in csv.DictReader(fh)]
    rows.sort()
    return [[(at, rating) for _, at, rating in group] for _, group in groupby(rows, key=lambda r: r[0])]


def distance(parameters, true) -> float:
    return sum(abs(math.log(parameters[i] / true[i])) for i in RECOVERED) / len(RECOVERED)


def row(name: str, fit: core.Fit, seconds: float, true=None) -> str:
    recovery = f"{distance(default_parameters(), true):.2f} → {distance(fit.fitted, true):.2f}" if true else "n/a"
    return (
        f"| {name} | {fit.reviews:,} | {fit.current_score.log_loss:.4f} | {fit.fitted_score.log_loss:.4f} | "
        f"{fit.current_score.rmse_bins:.4f} | {fit.fitted_score.rmse_bins:.4f} | {'yes' if fit.adopted else 'no'} | {recovery} | {seconds:.2f} s |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()
    print(
        "| log | reviews | log loss default | log loss fitted | RMSE(bins) default | RMSE(bins) fitted | adopted | distance to true w0, w2, w8: default → fitted | fit time |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|---:|")
    adopted = better_recovery = 0
    for seed in range(1, args.learners + 1):
        true = learner_parameters(seed)
        logs = simulate(true, args.items, args.days, seed)
        started = time.perf_counter()
        fit = core.fit(logs, None)
        print(row(f"simulated learner {seed}", fit, time.perf_counter() - started, true), flush=True)
        adopted += fit.adopted
        better_recovery += distance(fit.fitted, true) < distance(default_parameters(), true)
    if REAL_LOG.exists():
        started = time.perf_counter()
        fit = core.fit(real_logs(), None)
        print(row("real Anki learner (shared/data)", fit, time.perf_counter() - started))
    print(
        f"\nAdopted for {adopted} of {args.learners} simulated learners; the fit was nearer the true parameters than the defaults for {better_recovery} of {args.learners}."
    )


if __name__ == "__main__":
    main()
