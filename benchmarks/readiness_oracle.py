"""How much of the readiness model's optimism in `roomy` is guessing? The posterior replay told the learner's true guess chance.

benchmarks/readiness.py's simulated learners guess right with g' = g + (1 − g)·b, b being their
partial knowledge (0-0.3), while the replay assumes the nominal g. Here the replay is given g'
itself (an oracle: certdrill cannot know it) over windows of the last 4, 8 and 30 answers of each
item (30 covers nearly every item's whole log in 60 days; 16 states kept), beside what `stats`
does (nominal g, last 4 answers). For each: the replay's mean recall of the items seen minus the
simulated true recall on the exam morning, the log loss of each multiple-choice answer after day
42 minus recall only's (×1000), and, against five mock exams on the exam morning, the bias of the
predicted score and how often its 80% interval (with the default model error) holds the score.

Run: python benchmarks/readiness_oracle.py [--learners 8] [--scenarios "known, roomy;own, roomy"]
"""

from __future__ import annotations

import argparse
import statistics
import time
from multiprocessing import Pool

import readiness
import readiness_tracks

from certdrill.insight.uncertainty import DEFAULT

WINDOWS = (4, 8, 30)
STATS = "posterior, last 4 answers"  # what `stats` replays: nominal g


def _job(args: tuple[str, int, int | None]):
    """One learner, with the fitted-g track replaced by the oracle over `window` answers (None: what `stats` does)."""
    scenario, seed, window = args
    _, partial = readiness.learner_for(scenario, seed)
    name = STATS
    if window is not None:
        readiness_tracks.VARIANTS[readiness_tracks.FITTED] = (16, window)

        def oracle(self) -> None:
            self.fitted = {kind: g + (1 - g) * partial for kind, g in (("single", 0.25), ("multi", 0.1), ("truefalse", 0.5))}

        readiness_tracks.Tracks.refit = oracle  # type: ignore[method-assign]
        name = readiness_tracks.FITTED
    test = readiness.Test(DEFAULT, name, DEFAULT)
    out = readiness.simulate(scenario, seed, "plain", test)
    score_bias, inside = [], []
    score, low, high, *_ = out["forecasts"][(readiness.POSTERIOR, "default")]
    for actual in out["actual"]:
        score_bias.append(score - actual)
        inside.append(low <= actual <= high)
    loss = 1000 * (out["answers"][name][0] - out["answers"][readiness.MODELS[0]][0])
    return scenario, window, out["post_r_bias"], loss, score_bias, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=8, help="test learners per scenario (seeds from 2000)")
    parser.add_argument("--scenarios", default="known, roomy;own, roomy")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenarios = args.scenarios.split(";")
    windows: tuple[int | None, ...] = (None, *WINDOWS)
    jobs = [(s, seed, w) for s in scenarios for w in windows for seed in range(readiness.TEST_SEEDS, readiness.TEST_SEEDS + args.learners)]
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        results = pool.map(_job, jobs, chunksize=1)
    print(f"{args.learners} test learners a scenario, plain scheduling, {len(jobs)} runs in {time.perf_counter() - started:.0f} s\n")
    print(
        "| learners' memory | guess chance the replay uses | answers replayed | replay R − true R | log loss vs recall only (×1000) | score bias | 80% interval holds the score |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for s in scenarios:
        for w in windows:
            rows = [r for r in results if r[0] == s and r[1] == w]
            label = "nominal g (stats)" if w is None else "the learner's true g' (oracle)"
            bias = 100 * statistics.fmean(r[2] for r in rows)
            loss = statistics.fmean(r[3] for r in rows)
            score_bias = statistics.fmean(b for r in rows for b in r[4])
            inside = statistics.fmean(i for r in rows for i in r[5])
            print(f"| {s} | {label} | {4 if w is None else w} | {bias:+.2f} pts | {loss:+.2f} | {score_bias:+.1f} | {100 * inside:.0f}% |")


if __name__ == "__main__":
    main()
