"""The readiness machinery on a real learner's log (Anki, flashcards: no choices, so g = 0).

What this can check: with g = 0 the recall-or-guess model is recall alone, answer for answer (a
sanity check that nothing regresses on recall data); whether a floor fitted on the early reviews
(`fit_guess` with nominal 0) would have predicted the later ones better (FSRS under-predicting
recall at low R would show as a floor > 0); and whether the score interval is calibrated when a
day's reviews are scored as if they were a mock exam (each card's first answer that day, right =
any rating but Again, predicted from FSRS's R just before it), with no model error, with the
default one (insight.uncertainty) and with the one fitted to the days before (as `stats` fits it to
earlier mock exams). What it cannot check: guessing itself (nothing to pick) and real mock exams
(there were none). FSRS's default parameters.

Run: python benchmarks/readiness_real.py [--log PATH]
"""

from __future__ import annotations

import argparse
import csv
import statistics
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import simulate_exam_planner  # noqa: F401  (pins TZ, puts src on sys.path)

from certdrill.drill.exam import PASS_SCALED, exam_score
from certdrill.insight.guessing import fit_guess, log_loss, p_right
from certdrill.insight.readiness import ExamPrediction
from certdrill.insight.uncertainty import DEFAULT, NONE, learner_error
from certdrill.schedule.posterior import Answer, Posterior
from certdrill.schedule.scheduler import AGAIN, RATINGS, SchedulerConfig, retrievability, review

LOG_NAME = "py-fsrs_review_logs_josh_1711744352250_to_1728234780857.csv"
# ../shared/data beside the checkout (or beside the folder of worktrees it sits in)
REAL_LOG = next((p for up in Path(__file__).resolve().parents[2:4] if (p := up / "shared" / "data" / LOG_NAME).exists()), Path("../shared/data") / LOG_NAME)
MIN_DAY = 20  # reviews of cards already seen that make a day count as a pseudo-exam
SPLIT = 0.7


def answers(path: Path) -> list[tuple[datetime, str, float, bool, float]]:
    """(time, card, FSRS's R just before the answer, right, the posterior replay's R with g = 0) for every answer to
    a card last seen on an earlier day.

    Answers on the day of the previous one (learning steps minutes apart) are replayed but not
    scored, as the FSRS benchmarks do: they test the short-term steps, not the forgetting curve.
    """
    with path.open(newline="") as fh:
        rows = sorted((datetime.fromisoformat(r["review_time"]), r["card_id"], int(r["review_rating"])) for r in csv.DictReader(fh))
    cards: dict = {}
    posteriors: dict[str, Posterior] = {}
    out = []
    config = SchedulerConfig()
    for n, (at, card_id, rating) in enumerate(rows):
        card = cards.get(card_id)
        post = posteriors.setdefault(card_id, Posterior())
        if card is not None and card.last_review is not None and card.last_review.date() < at.date():
            out.append((at, card_id, retrievability(card, at), rating != AGAIN, post.recall(at, config)))
        cards[card_id] = review(card, RATINGS[rating], at, f"real{n}")
        post.observe(Answer(at, RATINGS[rating], 0.0), config)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, default=REAL_LOG)
    args = parser.parse_args()
    log = answers(args.log)
    cut = int(len(log) * SPLIT)
    train, test = log[:cut], log[cut:]
    floor = fit_guess([(r, right) for _, _, r, right, _ in train], 0.0)
    plain = log_loss((r, right) for _, _, r, right, _ in test)
    same = log_loss((p_right(r, 0.0), right) for _, _, r, right, _ in test)
    fitted = log_loss((p_right(r, floor), right) for _, _, r, right, _ in test)
    posterior = log_loss((p_right(r, 0.0), right) for _, _, _, right, r in test)
    differ = sum(r != post for _, _, r, _, post in log)
    print(f"{len(log):,} answers to cards last seen on an earlier day; the last {len(test):,} held out\n")
    print("| model | log loss (held out) |")
    print("|---|---:|")
    print(f"| recall only, P = R | {plain:.4f} |")
    print(f"| recall or guess, g = 0 (flashcards) | {same:.4f} |")
    print(f"| recall or guess, floor fitted on the first 70%: {floor:.3f} | {fitted:.4f} |")
    print(f"| posterior replay (what `stats` uses), g = 0: R differs from plain on {differ} of {len(log):,} answers | {posterior:.4f} |")
    days: dict = defaultdict(dict)
    for at, card_id, r, right, _ in log:
        days[at.date()].setdefault(card_id, (r, right))  # each card's first answer that day
    scored = [answered for _, answered in sorted(days.items()) if len(answered) >= MIN_DAY]
    print(f"\n{len(scored)} days with {MIN_DAY}+ such answers, each scored as a mock exam of that day's first answers:\n")
    print("| model error | bias (predicted − actual score) | mean abs. error | 80% interval holds the score | mean width | Brier (score ≥ 720) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("none", "default", "fitted to the days before"):
        bias, inside, brier, width = [], [], [], []
        for n, answered in enumerate(scored):
            record = [[(r, 0.0, right) for r, right in day.values()] for day in scored[:n]]
            error = NONE if name == "none" else DEFAULT if name == "default" else learner_error(record)
            made = ExamPrediction.of([(card_id, r, 0.0) for card_id, (r, _) in answered.items()], error=error)
            actual = exam_score(sum(right for _, right in answered.values()), len(answered))
            bias.append(made.score - actual)
            inside.append(made.low <= actual <= made.high)
            brier.append((made.pass_chance - (actual >= PASS_SCALED)) ** 2)
            width.append(made.high - made.low)
        print(
            f"| {name} | {statistics.fmean(bias):+.1f} | {statistics.fmean(abs(b) for b in bias):.1f} | {100 * statistics.fmean(inside):.0f}% "
            f"| {statistics.fmean(width):.0f} | {statistics.fmean(brier):.3f} |"
        )


if __name__ == "__main__":
    main()
