"""Why the 80% interval holds 88-91% of known-roomy scores: the score has two or three likely values there.

benchmarks/readiness.py's `roomy` learners miss two or three of 65 questions, so the predicted
score's chance sits on two or three steps of 14 points near the top. An interval can hold two of
them or three, nothing between. This runs its test learners (`roomy`, plain scheduling, nominal g)
with the posterior replay over each item's last 4 answers (what `stats` does) or last 8, and reads
each exam-morning forecast with `stats`' mid-p interval and with one that leaves 20% out below
when it reaches the top score (nothing lies above the top score, so mid-p's upper 10% is not left
out at all there). Reported: the replay's R minus the true R, the score's bias, the share of mock
exams inside, and the interval's mean width.

Run: python benchmarks/readiness_interval.py [--learners 16]
"""

from __future__ import annotations

import argparse
import statistics
import time
from multiprocessing import Pool

import readiness
import readiness_tracks

from certdrill.drill.exam import exam_score
from certdrill.insight import readiness as score_model
from certdrill.insight.uncertainty import DEFAULT

SCENARIOS = ("known, roomy", "own, roomy")
WINDOWS = (4, 8)
RULES = ("mid-p (stats)", "20% below at the top score")
MID_P = score_model.ScoreForecast.interval


def _tail_end(distribution, tail: float, *, from_top: bool) -> int:
    """The count where mid-p's chance beyond (half the count's own included) reaches `tail`, read from the bottom or the top."""
    n = len(distribution) - 1
    beyond = 0.0
    for k in range(n, -1, -1) if from_top else range(n + 1):
        if beyond + distribution[k] / 2 >= tail - 1e-12:
            return k
        beyond += distribution[k]
    return 0 if from_top else n


def top_score_interval(self: score_model.ScoreForecast) -> tuple[int, int]:
    """Mid-p, except that an interval reaching the top (bottom) score leaves 20% out at its other end."""
    n, dist = self.questions, self.distribution
    low, high = _tail_end(dist, 0.1, from_top=False), _tail_end(dist, 0.1, from_top=True)
    if high == n and low > 0:
        low = _tail_end(dist, 0.2, from_top=False)
    elif low == 0 and high < n:
        high = _tail_end(dist, 0.2, from_top=True)
    return exam_score(low, n), exam_score(max(low, high), n)


def _job(args: tuple[str, int, int, str]):
    scenario, seed, window, rule = args
    score_model.ScoreForecast.interval = MID_P if rule == RULES[0] else property(top_score_interval)  # type: ignore[assignment,method-assign]
    readiness_tracks.VARIANTS[readiness_tracks.FITTED] = (16, window)  # the fitted-g track, made a nominal-g one below

    def nominal(self) -> None:
        self.fitted = {}

    readiness_tracks.Tracks.refit = nominal  # type: ignore[method-assign]
    out = readiness.simulate(scenario, seed, "plain", readiness.Test(DEFAULT, readiness_tracks.FITTED, DEFAULT))
    score, low, high, *_ = out["forecasts"][(readiness.POSTERIOR, "default")]
    return scenario, window, rule, out["post_r_bias"], [score - a for a in out["actual"]], [low <= a <= high for a in out["actual"]], high - low


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=16, help="test learners per scenario (seeds from 2000)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = range(readiness.TEST_SEEDS, readiness.TEST_SEEDS + args.learners)
    jobs = [(s, seed, w, rule) for s in SCENARIOS for w in WINDOWS for rule in RULES for seed in seeds]
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(_job, jobs, chunksize=1)
    print(f"{args.learners} test learners a scenario, {len(jobs)} runs in {time.perf_counter() - started:.0f} s\n")
    print("| learners' memory | answers replayed | interval | replay R − true R | score bias | 80% interval holds the score | mean width |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for s in SCENARIOS:
        for w in WINDOWS:
            for rule in RULES:
                rows = [r for r in results if r[:3] == (s, w, rule)]
                bias = 100 * statistics.fmean(r[3] for r in rows)
                score_bias = statistics.fmean(b for r in rows for b in r[4])
                inside = 100 * statistics.fmean(i for r in rows for i in r[5])
                width = statistics.fmean(r[6] for r in rows)
                print(f"| {s} | {w} | {rule} | {bias:+.2f} pts | {score_bias:+.1f} | {inside:.0f}% | {width:.0f} |")


if __name__ == "__main__":
    main()
