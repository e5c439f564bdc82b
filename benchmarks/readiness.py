"""Recall or guess: does modelling lucky guesses predict answers and exam scores better, and schedule better?

Simulated learners study a bank (60% single answer of 4, 15% choose 2 of 5, 15% true/false, 10%
flashcards) daily for 60 days up to an exam, through certdrill's own queue and scheduler with the
exam date set: `roomy`, 300 items at 20 new and 200 reviews a day (all seen in 15 days); `tight`,
900 items at 8 new and 80 reviews a day (about 480 seen by the exam: passing is in doubt). Their memory follows FSRS-6 (`known`: fsrs's default parameters, which the
scheduler also uses; `own`: each learner's own, the defaults times a log-normal factor, unknown to
the scheduler). An item is known at first sight with the learner's own chance (0.15-0.45). On a
multiple-choice question a learner who does not recall guesses: right with g' = g + (1 - g)·b,
where g is the nominal chance (1/4, 1/10, 1/2) and b (0-0.3, per learner) is partial knowledge
that rules distractors out. Recall strengthens the true memory (Good); no recall is a lapse (Again)
whether or not the guess was right. The scheduler sees only right or wrong.

Measured on the same learners and the same random draws:
- each multiple-choice answer after day 42, predicted from what the scheduler knew: recall only
  (P = R, never-seen items 0.25), recall or guess at the nominal g, and at g fitted to the answers
  before day 42 (`insight.guessing.fit_guess`, with never-seen items at the share of first answers
  that were right): log loss and AUC;
- exam day: five 65-question mock exams per learner on the exam morning, scored as `exam` scores
  them, against `insight.plan.readiness` the evening before (recall only / nominal g / nominal g
  with unseen items at the first-answer share, as `stats` / fitted g), with no model error, the
  default one, or the learner's own (`insight.uncertainty`): bias and absolute error of the central
  score, coverage and width of the 80% interval (and of the older at-least-80% one), Brier score of
  the pass chance. The learner's own model error is fitted to three record mock exams (mornings of
  RECORD_DAYS, predicted as `exam` predicts them; they do not feed back into study); the default is
  fitted to the record exams of a separate training set of learners (TRAIN_SEEDS, plain
  scheduling), and every table is on the test set (TEST_SEEDS);
- scheduling: plain (right = Good) against guessing-aware ratings (a right answer whose posterior
  recall R / (R + (1 - R)·g) is below a threshold is rated Hard, or Again): the true recall of the
  bank on the exam morning, reviews spent, items recalled per 100 reviews, and the scheduler's mean
  R against the true one.

Run: python benchmarks/readiness.py   (seeded: the same table every run; --learners, --workers)
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing import Pool

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS
from readiness_tracks import CANDIDATES, FITTED, VARIANTS, Tracks
from simulate_exam_planner import ANSWER_SECONDS, START, Learner, Memory, make_learner  # also pins TZ and sys.path

from certdrill.bank.items import Item
from certdrill.clock import day_bounds, local_midnight
from certdrill.drill.exam import PASS_SCALED, draw_exam, exam_score
from certdrill.drill.session import Rules
from certdrill.insight.guessing import GuessModel, fit_guess, log_loss, nominal_guess, p_right, recall_beliefs
from certdrill.insight.plan import exam_focus, readiness
from certdrill.insight.uncertainty import NONE, ModelError, fitted_error, learner_error, shifted
from certdrill.schedule.posterior import belief_recall
from certdrill.schedule.queue import Limits, build_queue
from certdrill.schedule.scheduler import AGAIN, GOOD, HARD, Rating, SchedulerConfig, retrievability, review

REQUEUE_GAP = Rules().gaps[0]  # other answers before a missed item is asked again

DAYS, SPLIT_DAY, EXAMS = 60, 42, 5
SETUPS = {"roomy": (300, Limits(new_per_day=20, reviews_per_day=200)), "tight": (900, Limits(new_per_day=8, reviews_per_day=80))}
WEIGHTS = {"t0": 2.0, "t1": 2.0, "t2": 1.0, "t3": 1.0, "t4": 1.0, "t5": 1.0}
PARTIAL = (0.0, 0.3)
POLICIES = ("plain", "Hard below 0.9", "Hard below 0.9, new items too", "Again below 0.5, new items too")
MODELS = ("recall only", "recall or guess, nominal g", "nominal g, unseen at first answers (stats before)", "recall or guess, fitted g")
SHIFTED = "stats before, default error's shift too"  # the model error applied to each answer (option b)
POSTERIOR = "posterior replay (stats)"  # nominal g, unseen at first answers, R from the chosen posterior variant
POSTERIOR_SHIFTED = "posterior replay, default error's shift too"
TRACKED = ("plain", "Hard below 0.9, new items too")  # the policies whose answers the posterior replay predicts
RECORD_DAYS = (46, 51, 56)  # a mock exam before these days' sessions: the calibration record the model error is fitted to
ERRORS = ("none", "default", "own record")  # the model error: none, the default fitted on the training learners, the learner's own
TRAIN_SEEDS, TEST_SEEDS = 1000, 2000  # the default spread is fitted on learners from 1000, measured on learners from 2000


def bank(size: int) -> list[Item]:
    out = []
    for n in range(size):
        topic = f"t{n % 6}"
        kind = ("single",) * 12 + ("multi",) * 3 + ("truefalse",) * 3 + ("flashcard",) * 2
        k = kind[n % 20]
        choices = {"single": ("a", "b", "c", "d"), "multi": ("a", "b", "c", "d", "e"), "truefalse": ("True", "False"), "flashcard": ()}[k]
        answer = {"single": (0,), "multi": (0, 2), "truefalse": (n % 2,), "flashcard": ()}[k]
        out.append(Item(id=f"i{n:03d}", type=k, topic=topic, prompt="", choices=choices, answer=answer, explanation="", back="" if k == "flashcard" else None))  # type: ignore[arg-type]
    return out


@dataclass
class Answer:
    day: int
    type: str
    recall: float | None  # the scheduler's R before the answer; None for an item never seen
    guess: float  # nominal g
    right: bool
    posterior: dict[str, float | None] = field(default_factory=dict)  # each posterior variant's R before the answer
    fitted_g: float | None = None  # the g the fitted-g variant used for this answer (None: nominal)


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    reviews: int = 0
    record: dict[str, list[list[tuple[float, float, bool]]]] = field(default_factory=dict)  # per R (plain, variants), per record exam: (R, g, right)


def learner_for(scenario: str, seed: int) -> tuple[Learner, float]:
    own = make_learner(seed)
    partial = random.Random(seed * 31 + 7).uniform(*PARTIAL)
    if scenario.startswith("known"):
        return Learner(seed, tuple(DEFAULT_PARAMETERS), own.first_sight), partial
    return own, partial


def rating_for(policy: str, right: bool, recall: float | None, guess: float, new_prior: float) -> Rating:
    """The scheduler's rating of an answer under `policy` (the posterior needs R: new items use `new_prior`)."""
    if not right:
        return AGAIN
    if policy == "plain" or guess == 0:
        return GOOD
    r = recall if recall is not None else (new_prior if "new items" in policy else None)
    if r is None:
        return GOOD
    posterior = r / (r + (1 - r) * guess)
    threshold, weak = (0.5, AGAIN) if policy.startswith("Again") else (0.9, HARD)
    return weak if posterior < threshold else GOOD


class FirstSight:
    """The scheduler's running estimate of how often a new item is already known (nominal g removed, shrunk to 0)."""

    def __init__(self) -> None:
        self.right = self.floor = self.room = 0.0

    def add(self, right: bool, g: float) -> None:
        self.right, self.floor, self.room = self.right + right, self.floor + g, self.room + 1 - g

    @property
    def known(self) -> float:
        return max(0.0, (self.right - self.floor) / (self.room + 10.0))


@dataclass(frozen=True)
class Test:
    """What the training learners chose: the model errors (plain R, the posterior's) and the posterior variant."""

    plain: ModelError
    variant: str
    posterior: ModelError


def simulate(scenario: str, seed: int, policy: str, test: Test | None):
    """One learner's 60 days; scored against the exam morning with what training chose (None: a training learner)."""
    learner, partial = learner_for(scenario, seed)
    size, limits = SETUPS[scenario.split(", ")[1]]
    items = bank(size)
    exam_at = local_midnight((START + timedelta(days=DAYS)).date())
    config = SchedulerConfig(exam_date=exam_at)
    focus = exam_focus(config)
    memory = Memory(learner)
    rng = random.Random(seed * 7919 + 1)
    cards: dict = {}
    run, first = Run(), FirstSight()
    tracks = Tracks(config) if policy in TRACKED else None
    now = START
    for day in range(DAYS):
        now = START + timedelta(days=day)
        _, day_end = day_bounds(now)
        queue = build_queue(items, cards, now=now, day_end=day_end, limits=limits, recall=lambda c, at=now: retrievability(c, at, config), exam=focus)
        if tracks is not None and day >= SPLIT_DAY:
            tracks.refit()  # once a day, on the answers before today's
        if day in RECORD_DAYS:
            for name, exam in record_exam(items, cards, memory, config, now, partial, run.answers, random.Random(seed * 15485863 + day), tracks).items():
                run.record.setdefault(name, []).append(exam)
        pending, at = deque(queue.items), now
        while pending:
            item = pending.popleft()
            at += timedelta(seconds=ANSWER_SECONDS)
            g = nominal_guess(item)
            new = item.id not in cards
            r_model = None if new else retrievability(cards[item.id], at, config)
            true_r = memory.first_sight if item.id not in memory.cards else memory.recall(item.id, at)
            recalled = rng.random() < true_r
            lucky = rng.random() < g + (1 - g) * partial  # drawn for every answer, recalled or not
            right = recalled or (item.is_choice and lucky)
            card = memory.cards.get(item.id) or fsrs.Card(card_id=len(memory.cards) + 1)
            memory.cards[item.id], _ = memory.scheduler.review_card(card, fsrs.Rating.Good if recalled else fsrs.Rating.Again, review_datetime=at)
            rating = rating_for(policy, right, r_model, g, first.known)
            before = cards.get(item.id)
            cards[item.id] = review(before, rating, at, f"{seed}:{day}:{run.reviews}", config)
            run.reviews += 1
            if item.is_choice:
                posterior = {} if tracks is None or day < SPLIT_DAY else tracks.recall(item.id, at)
                run.answers.append(Answer(day, item.type, r_model, g, right, posterior, tracks.fitted.get(item.type) if tracks else None))
                if tracks is not None:
                    tracks.answer(item.id, item.type, before, at, rating, g, right)
                if new:
                    first.add(right, g)
            if rating == AGAIN:
                pending.insert(min(REQUEUE_GAP, len(pending)), item)
    if test is None:
        return {"record": run.record, "answers": answer_scores(run.answers, None)}
    return evaluate(items, cards, memory, run, config, exam_at, now, partial, seed, test, tracks)


def true_right(item: Item, memory: Memory, at, partial: float, rng: random.Random) -> bool:
    g = nominal_guess(item) + (1 - nominal_guess(item)) * partial
    r = memory.recall(item.id, at) if item.id in memory.cards else memory.first_sight
    return rng.random() < p_right(r, g)


def record_exam(items, cards, memory, config, at, partial, answers, rng, tracks) -> dict[str, list[tuple[float, float, bool]]]:
    """A 65-question mock exam as `exam` predicts it when drawn, and the true answers: R now (plain, and each posterior
    variant's when tracked) and nominal g (unseen: R 0, right as often as the first answers so far).

    It does not feed back into the memory or the cards (a simplification: certdrill logs exam answers as reviews).
    """
    model = GuessModel(first={kind: _first_answer_chance(answers, kind) for kind in ("single", "multi", "truefalse")})
    drawn = draw_exam(items, WEIGHTS, 65, rng)
    out: dict[str, list[tuple[float, float, bool]]] = {"plain": []}
    for i in drawn:
        right = true_right(i, memory, at, partial, rng)
        if i.id not in cards:
            for name in out if tracks is None else ("plain", *VARIANTS):
                out.setdefault(name, []).append((0.0, model.unseen(i), right))
            continue
        g = nominal_guess(i)
        out["plain"].append((retrievability(cards[i.id], at, config), g, right))
        if tracks is not None:
            for name, r in tracks.recall(i.id, at).items():
                used = tracks.fitted.get(i.type, g) if name == FITTED else g
                out.setdefault(name, []).append((retrievability(cards[i.id], at, config) if r is None else r, used, right))
    return out


def fitted_model(answers: list[Answer]) -> GuessModel:
    """g per type fitted on answers to items already seen; never-seen items at the share of first answers that were right."""
    out, first = {}, {}
    for kind in ("single", "multi", "truefalse"):
        seen = [(a.recall, a.right) for a in answers if a.type == kind and a.recall is not None]
        nominal = next((a.guess for a in answers if a.type == kind), None)
        if nominal is not None:
            out[kind] = fit_guess(seen, nominal)
            first[kind] = _first_answer_chance(answers, kind)
    return GuessModel(out, first)


def mean_shifted(p: float, g: float, error: ModelError) -> float:
    """The chance of a right answer averaged over the model error's shift of recall (option b)."""
    return sum(w * shifted(p, g, delta) for delta, w in error.nodes())


def answer_scores(answers: list[Answer], test: Test | None) -> dict[str, tuple[float, float]]:
    """Log loss and AUC of each model on the answers after SPLIT_DAY (the fitted g sees only the ones before).

    The posterior variants only where tracked; the model error's shift only on the test set (`test`).
    """
    train = [a for a in answers if a.day < SPLIT_DAY]
    test_answers = [a for a in answers if a.day >= SPLIT_DAY]
    fitted = fitted_model(train)

    def stats_like(a: Answer, recall: float | None, error: ModelError = NONE, g: float | None = None) -> float:
        if recall is None:
            return fitted.first.get(a.type, a.guess)
        g = a.guess if g is None else g
        return mean_shifted(p_right(recall, g), g, error)

    def predict(model: str, a: Answer) -> float:
        if model == MODELS[0]:
            return 0.25 if a.recall is None else a.recall
        if model == MODELS[1]:
            return p_right(a.recall or 0.0, a.guess)
        if model == MODELS[2]:
            return fitted.first.get(a.type, a.guess) if a.recall is None else p_right(a.recall, a.guess)
        g = fitted.overrides.get(a.type, a.guess)
        return fitted.first.get(a.type, a.guess) if a.recall is None else p_right(a.recall, g)

    predictors = {m: (lambda a, m=m: predict(m, a)) for m in MODELS}
    tracked = bool(test_answers) and bool(test_answers[0].posterior)
    if tracked:
        predictors |= {v: (lambda a, v=v: stats_like(a, a.posterior[v], g=a.fitted_g if v == FITTED else None)) for v in VARIANTS}
    if test is not None:
        predictors[SHIFTED] = lambda a: stats_like(a, a.recall, test.plain)
        if tracked:
            predictors[POSTERIOR_SHIFTED] = lambda a: stats_like(a, a.posterior[test.variant], test.posterior, a.fitted_g if test.variant == FITTED else None)
    out = {}
    for model, predictor in predictors.items():
        pairs = [(predictor(a), a.right) for a in test_answers]
        out[model] = (log_loss(pairs), auc(pairs))
    return out


def _first_answer_chance(answers: list[Answer], kind: str) -> float:
    firsts = [a for a in answers if a.type == kind and a.recall is None]
    nominal = next((a.guess for a in answers if a.type == kind), 0.25)
    return (sum(a.right for a in firsts) + 10 * nominal) / (len(firsts) + 10)


def auc(pairs: list[tuple[float, bool]]) -> float:
    """The chance a right answer was predicted above a wrong one (ties count half): Mann-Whitney."""
    ranked = sorted(pairs, key=lambda pair: pair[0])
    rank_sum, i, n_right = 0.0, 0, sum(r for _, r in pairs)
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        rank_sum += sum(r for _, r in ranked[i:j]) * (i + j + 1) / 2
        i = j
    n_wrong = len(pairs) - n_right
    return (rank_sum - n_right * (n_right + 1) / 2) / (n_right * n_wrong) if n_right and n_wrong else float("nan")


def evaluate(items, cards, memory, run, config, exam_at, last_session, partial, seed, test: Test, tracks: Tracks | None):
    exam_morning = exam_at + timedelta(hours=9)
    true_recall = {i.id: memory.recall(i.id, exam_morning) for i in items}
    seen = [i.id for i in items if i.id in cards]
    model_r = statistics.fmean(retrievability(cards[k], exam_morning, config) for k in seen) if seen else 0.0
    rng = random.Random(seed * 104729 + 3)
    actual = []
    for _ in range(EXAMS):
        drawn = draw_exam(items, WEIGHTS, 65, rng)
        actual.append(exam_score(sum(true_right(item, memory, exam_morning, partial, rng) for item in drawn), len(drawn)))
    fitted = fitted_model(run.answers)
    models = {MODELS[0]: None, MODELS[1]: GuessModel(), MODELS[2]: GuessModel(first=fitted.first), MODELS[3]: fitted}
    own = learner_error(run.record["plain"], test.plain)
    errors = {"none": NONE, "default": test.plain, "own record": own}
    beliefs: dict = {}
    post_errors: dict[str, ModelError] = {}
    post_bias = None
    if tracks is not None:
        keep, last = VARIANTS[test.variant]
        post_model = models[MODELS[2]]
        if test.variant == FITTED:
            tracks.refit()
            post_model = GuessModel(dict(tracks.fitted), fitted.first)
        beliefs = recall_beliefs(items, tracks.windows(last), post_model, config, keep=keep)  # what `stats` computes
        models[POSTERIOR] = post_model
        post_errors = {"none": NONE, "default": test.posterior, "own record": learner_error(run.record[test.variant], test.posterior)}
        post_r = {k: belief_recall(beliefs[k], exam_morning, config) if k in beliefs else retrievability(cards[k], exam_morning, config) for k in seen}
        post_bias = statistics.fmean(post_r[k] - true_recall[k] for k in seen) if seen else 0.0
    forecasts = {}
    for name, model in models.items():
        for kind in ERRORS if name in (*MODELS[2:], POSTERIOR) else ERRORS[:1]:
            error = post_errors[kind] if name == POSTERIOR else errors[kind]
            ready = readiness(
                items,
                cards,
                exam_day=exam_at.date(),
                exam_at=exam_at,
                now=last_session,
                config=config,
                weights=WEIGHTS,
                guess=model,
                error=error,
                beliefs=beliefs if name == POSTERIOR else None,
            )
            f = ready.forecast
            assert f is not None
            low, high = f.interval
            forecasts[(name, kind)] = (f.score, low, high, f.pass_chance, f.coverage, f.conservative_interval)
    return {
        "own_error": own,
        "own_error_posterior": post_errors.get("own record"),
        "post_r_bias": post_bias,
        "recall": statistics.fmean(true_recall.values()),
        "model_r_bias": model_r - statistics.fmean(true_recall[k] for k in seen),
        "reviews": run.reviews,
        "actual": actual,
        "forecasts": forecasts,
        "answers": answer_scores(run.answers, test),
    }


def _job(args):
    scenario, seed, policy, default = args
    return scenario, policy, seed, simulate(scenario, seed, policy, default)


def coverage_ci(inside: list[bool]) -> str:
    """The share as a percentage with its 95% Wilson interval (exams taken as independent: a learner's are not quite)."""
    n, k = len(inside), sum(inside)
    p, z = k / n, 1.96
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{100 * p:.0f}% ({100 * (centre - half):.0f}-{100 * (centre + half):.0f}%)"


def mean_ci(values: list[float]) -> str:
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{statistics.fmean(values):+.2f} (±{half:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=32, help="learners per scenario, in the training set and in the test set (default 32)")
    parser.add_argument("--policy-learners", type=int, default=16, help="test learners per scenario for the scheduling rules other than plain (default 16)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scenarios = tuple(f"{memory}, {setup}" for setup in SETUPS for memory in ("known", "own"))
    started = time.perf_counter()
    with Pool(args.workers) as pool:
        train = pool.map(_job, [(s, seed, "plain", None) for s in scenarios for seed in range(TRAIN_SEEDS, TRAIN_SEEDS + args.learners)], chunksize=2)
        training = {(s, seed): r for s, _, seed, r in train}
        variant = min(CANDIDATES, key=lambda v: statistics.fmean(r["answers"][v][0] for r in training.values()))
        test = Test(fitted_error(_records(training, "plain")), variant, fitted_error(_records(training, variant)))
        seeds = range(TEST_SEEDS, TEST_SEEDS + args.learners)
        jobs = [(s, seed, p, test) for s in scenarios for seed in seeds for p in POLICIES if p == "plain" or seed < TEST_SEEDS + args.policy_learners]
        results = pool.map(_job, jobs, chunksize=2)
    by = {(s, p, seed): r for s, p, seed, r in results}
    print(
        f"{args.learners} learners a scenario in each set ({args.policy_learners} for the other rules), {EXAMS} mock exams each, {len(train) + len(jobs)} runs in {time.perf_counter() - started:.0f} s\n"
    )
    training_table(training, scenarios, variant)
    print(
        f"Default model error fitted on the training learners' {len(_records(training, 'plain'))} record exams (plain scheduling, all scenarios): "
        f"plain R shift {test.plain.shift:+.2f}, spread {test.plain.spread:.2f}; {variant}: shift {test.posterior.shift:+.2f}, spread {test.posterior.spread:.2f}\n"
    )
    answers_table(by, scenarios, seeds, range(TEST_SEEDS, TEST_SEEDS + args.policy_learners), variant)
    readiness_table(by, scenarios, seeds)
    scheduling_table(by, scenarios, range(TEST_SEEDS, TEST_SEEDS + args.policy_learners))


def _records(training, name: str) -> list:
    return [exam for r in training.values() for exam in r["record"][name]]


def training_table(training, scenarios, chosen: str) -> None:
    print("Training learners (plain scheduling): log loss of each multiple-choice answer after day 42, the posterior variants:\n")
    names = (MODELS[2], *VARIANTS)
    print("| learners' memory | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for s in scenarios:
        rows = [r["answers"] for (sc, _), r in training.items() if sc == s]
        print(f"| {s} | " + " | ".join(f"{statistics.fmean(r[n][0] for r in rows):.4f}" for n in names) + " |")
    means = " | ".join(f"{statistics.fmean(r['answers'][n][0] for r in training.values()):.4f}" for n in names)
    print(f"| all | {means} |\n\nChosen (lowest mean of {', '.join(CANDIDATES)}): {chosen}\n")


def answers_table(by, scenarios, seeds, policy_seeds, variant: str) -> None:
    print("Predicting each multiple-choice answer after day 42 (log loss minus recall only's, paired by learner, ×1000):\n")
    print("| learners' memory | scheduling | model | log loss | vs recall only (×1000, 95% CI) | AUC |")
    print("|---|---|---|---:|---:|---:|")
    for s in scenarios:
        for p, these in ((POLICIES[0], seeds), (POLICIES[2], policy_seeds)):
            for m in by[(s, p, these[0])]["answers"]:
                rows = [by[(s, p, seed)]["answers"][m] for seed in these]
                paired = [1000 * (by[(s, p, seed)]["answers"][m][0] - by[(s, p, seed)]["answers"][MODELS[0]][0]) for seed in these]
                label = f"{m} (stats)" if m == variant else m
                versus = "–" if m == MODELS[0] else mean_ci(paired)
                print(f"| {s} | {p} | {label} | {statistics.fmean(r[0] for r in rows):.4f} | {versus} | {statistics.fmean(r[1] for r in rows):.4f} |")
    print("\nAll four scenarios pooled (each learner once, paired with its own recall-only log loss):\n")
    print("| scheduling | model | learners | vs recall only (×1000, 95% CI) | learners better / worse |")
    print("|---|---|---:|---:|---:|")
    for p, these in ((POLICIES[0], seeds), (POLICIES[2], policy_seeds)):
        for m in (MODELS[2], variant):
            paired = [1000 * (by[(s, p, seed)]["answers"][m][0] - by[(s, p, seed)]["answers"][MODELS[0]][0]) for s in scenarios for seed in these]
            label = f"{m} (stats)" if m == variant else m
            print(f"| {p} | {label} | {len(paired)} | {mean_ci(paired)} | {sum(d < 0 for d in paired)} / {sum(d > 0 for d in paired)} |")


def readiness_table(by, scenarios, seeds) -> None:
    print("\nThe readiness prediction the evening before against mock exams on the exam morning (plain scheduling, test learners):\n")
    print(
        "| learners' memory | model | spread | bias (predicted − actual, 95% CI) | mean abs. error | 80% interval holds the score | mean width | stated coverage | Brier (pass) | at-least-80% interval holds it (width) |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in scenarios:
        for m, kind in [(m, k) for m in (*MODELS, POSTERIOR) for k in ERRORS if (m, k) in by[(s, "plain", seeds[0])]["forecasts"]]:
            own = [by[(s, "plain", seed)]["own_error_posterior" if m == POSTERIOR else "own_error"] for seed in seeds]
            bias, err, inside, stated, brier, width, old, old_width = [], [], [], [], [], [], [], []
            for seed in seeds:
                r = by[(s, "plain", seed)]
                score, low, high, chance, coverage, (old_low, old_high) = r["forecasts"][(m, kind)]
                for a in r["actual"]:
                    bias.append(score - a)
                    err.append(abs(score - a))
                    inside.append(low <= a <= high)
                    old.append(old_low <= a <= old_high)
                    brier.append((chance - (a >= PASS_SCALED)) ** 2)
                stated.append(coverage)
                width.append(high - low)
                old_width.append(old_high - old_low)
            shifts, spreads = [e.shift for e in own], [e.spread for e in own]
            label = (
                f"own record (shift {min(shifts):+.2f} to {max(shifts):+.2f}, spread {min(spreads):.2f}-{max(spreads):.2f})" if kind == "own record" else kind
            )
            print(
                f"| {s} | {m} | {label} | {mean_ci(bias)} | {statistics.fmean(err):.1f} | {coverage_ci(inside)} "
                f"| {statistics.fmean(width):.0f} | {100 * statistics.fmean(stated):.0f}% | {statistics.fmean(brier):.3f} | {100 * statistics.fmean(old):.0f}% ({statistics.fmean(old_width):.0f}) |"
            )


def _post_bias(rows) -> str:
    if rows[0]["post_r_bias"] is None:
        return "–"
    return f"{100 * statistics.fmean(r['post_r_bias'] for r in rows):+.1f} pts"


def scheduling_table(by, scenarios, seeds) -> None:
    print("\nScheduling: true recall of the bank on the exam morning, reviews, and the scheduler's mean R minus the true one:\n")
    print(
        "| learners' memory | ratings of a right answer | exam-day recall | reviews | items recalled per 100 reviews "
        "| recall vs plain (paired, pts) | reviews vs plain | model R − true R | posterior R − true R |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in scenarios:
        size = SETUPS[s.split(", ")[1]][0]
        for p in POLICIES:
            rows = [by[(s, p, seed)] for seed in seeds]
            d_recall = [100 * (by[(s, p, seed)]["recall"] - by[(s, "plain", seed)]["recall"]) for seed in seeds]
            d_reviews = [by[(s, p, seed)]["reviews"] - by[(s, "plain", seed)]["reviews"] for seed in seeds]
            per = statistics.fmean(100 * r["recall"] * size / r["reviews"] for r in rows)
            print(
                f"| {s} | {p} | {100 * statistics.fmean(r['recall'] for r in rows):.1f}% | {statistics.fmean(r['reviews'] for r in rows):.0f} | {per:.2f} "
                f"| {'–' if p == 'plain' else mean_ci(d_recall)} | {'–' if p == 'plain' else f'{statistics.fmean(d_reviews):+.0f}'} "
                f"| {100 * statistics.fmean(r['model_r_bias'] for r in rows):+.1f} pts "
                f"| {_post_bias(rows)} |"
            )


if __name__ == "__main__":
    main()
