"""Recall or guess, and the mock-exam score as a distribution (insight.guessing, insight.readiness)."""

import itertools
import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from certdrill.bank.items import Item
from certdrill.drill.exam import exam_score
from certdrill.insight.guessing import GuessModel, fit_guess, log_loss, nominal_guess, p_right, posterior_recall
from certdrill.insight.plan import readiness
from certdrill.insight.readiness import binomial, drawn_forecast, forecast, poisson_binomial, topic_distribution
from certdrill.schedule.scheduler import CardState, SchedulerConfig

EXAM_AT = datetime(2026, 12, 3, tzinfo=UTC)


def item(item_id, kind="single", n=4, answer=(0,), topic="t"):
    choices = ("True", "False") if kind == "truefalse" else tuple(f"c{k}" for k in range(n)) if kind != "flashcard" else ()
    return Item(id=item_id, type=kind, topic=topic, prompt="p", choices=choices, answer=answer if choices else (), explanation="e")


@pytest.mark.parametrize(
    ("kind", "n", "answer", "g"),
    [
        ("single", 4, (0,), 0.25),
        ("single", 5, (1,), 0.2),
        ("truefalse", 2, (0,), 0.5),
        ("multi", 5, (0, 2), 0.1),
        ("multi", 4, (0, 1, 3), 0.25),
        ("flashcard", 0, (), 0.0),
    ],
)
def test_the_nominal_guess_chance_comes_from_the_choices(kind, n, answer, g):
    assert nominal_guess(item("x", kind, n, answer)) == pytest.approx(g)


def test_an_override_replaces_the_guess_chance_of_one_type_only():
    model = GuessModel({"single": 0.4})
    assert model.chance(item("a")) == 0.4 and model.chance(item("b", "truefalse")) == 0.5
    assert model.chance(item("c", "flashcard")) == 0.0  # nothing to pick on a flashcard, whatever the settings
    first = GuessModel(first={"single": 0.45, "flashcard": 0.3})  # right first answers: prior knowledge plus the guess
    assert first.unseen(item("a")) == 0.45 and first.chance(item("a")) == 0.25
    assert first.unseen(item("b", "truefalse")) == 0.5 and first.unseen(item("c", "flashcard")) == 0.0


def test_recall_or_guess():
    assert p_right(0.9, 0.25) == pytest.approx(0.925)
    assert p_right(0.0, 0.5) == 0.5 and p_right(1.0, 0.5) == 1.0
    assert posterior_recall(0.9, 0.25) == pytest.approx(0.9 / 0.925)
    assert posterior_recall(0.5, 0.5) == pytest.approx(2 / 3)
    assert posterior_recall(0.3, 0.0) == 1.0  # a flashcard recalled is recall
    assert posterior_recall(0.0, 0.25) == 0.0  # nothing to recall: a right answer was a guess


def test_a_fitted_guess_chance_finds_partial_knowledge_and_shrinks_toward_the_nominal_one():
    rng = random.Random(4)
    answers = []
    for _ in range(4000):
        r = rng.random()
        answers.append((r, rng.random() < p_right(r, 0.4)))  # a learner who rules out distractors: g 0.4, not 0.25
    assert fit_guess(answers, 0.25) == pytest.approx(0.4, abs=0.03)
    assert fit_guess([], 0.25) == pytest.approx(0.25, abs=1e-3)  # no evidence: the nominal chance
    assert 0.25 < fit_guess([(0.0, True)] * 5, 0.25) < 0.5  # five lucky answers move it only part of the way
    assert log_loss([(0.5, True), (0.5, False)]) == pytest.approx(math.log(2))


def brute_force(chances, seats):
    """Every draw of `seats` items, every outcome: the exact distribution by enumeration."""
    out = [0.0] * (seats + 1)
    draws = list(itertools.combinations(range(len(chances)), seats))
    for drawn in draws:
        for outcome in itertools.product((0, 1), repeat=seats):
            w = math.prod(chances[i] if o else 1 - chances[i] for i, o in zip(drawn, outcome, strict=True))
            out[sum(outcome)] += w / len(draws)
    return out


@pytest.mark.parametrize(("chances", "seats"), [([0.9, 0.25, 0.6, 0.1], 2), ([0.5, 0.95, 0.3], 3), ([0.2, 0.7, 0.99, 0.4, 0.6], 3), ([0.3], 0)])
def test_a_topic_distribution_equals_enumerating_every_draw(chances, seats):
    assert topic_distribution(chances, seats) == pytest.approx(brute_force(chances, seats))


def test_poisson_binomial_with_equal_chances_is_binomial():
    assert poisson_binomial([0.3] * 6) == pytest.approx(binomial(6, 0.3))
    assert sum(poisson_binomial([0.1, 0.5, 0.77])) == pytest.approx(1.0)


def test_the_forecast_reads_the_distribution_on_the_exam_scale():
    sure = drawn_forecast([1.0] * 10)
    assert (sure.score, sure.interval, sure.pass_chance, sure.coverage) == (1000, (1000, 1000), 1.0, 1.0)
    hopeless = drawn_forecast([0.0] * 10)
    assert (hopeless.score, hopeless.interval, hopeless.pass_chance) == (100, (100, 100), 0.0)
    coin = drawn_forecast([0.5] * 10)  # Binomial(10, 0.5): P(k ≤ 2) = 0.055, P(k ≤ 3) = 0.17, P(k ≤ 6) = 0.83
    assert coin.score == 550 and coin.interval == (exam_score(3, 10), exam_score(7, 10))
    assert coin.coverage == pytest.approx(sum(binomial(10, 0.5)[3:8])) and coin.coverage >= 0.8
    assert coin.pass_chance == pytest.approx(sum(binomial(10, 0.5)[7:]))  # 7 of 10 scores 730
    two_topics = forecast({"a": [0.9, 0.25, 0.6], "b": [0.5, 0.5]}, {"a": 2, "b": 1})
    assert two_topics.questions == 3
    expected = [sum(x * y for i, x in enumerate(brute_force([0.9, 0.25, 0.6], 2)) for j, y in enumerate([0.5, 0.5]) if i + j == k) for k in range(4)]
    assert list(two_topics.distribution) == pytest.approx(expected)


def test_readiness_forecasts_recall_or_guess_on_exam_day():
    ninety = CardState(2, None, 10.0, 5.0, EXAM_AT + timedelta(days=5), EXAM_AT - timedelta(days=10), 3, 0)  # R 0.9 on exam day
    items = [item("a1", topic="a"), item("a2", topic="a"), item("b1", "truefalse", topic="b"), item("f1", "flashcard", topic="b")]
    cards = {"a1": ninety, "b1": ninety}
    common = {"exam_day": date(2026, 12, 3), "exam_at": EXAM_AT, "now": datetime(2026, 11, 23, 9, tzinfo=UTC), "config": SchedulerConfig(exam_date=EXAM_AT)}
    r = readiness(items, cards, **common)
    # three questions, all drawn: a1 0.9 + 0.1 × 0.25, a2 never seen: 0.25, b1 (true/false) 0.9 + 0.1 × 0.5
    assert r.forecast is not None and r.forecast.distribution == pytest.approx(tuple(poisson_binomial([0.925, 0.25, 0.95])))
    assert r.forecast.score == math.floor(100 + 900 * (0.925 + 0.25 + 0.95) / 3 + 0.5)
    plain = readiness(items, cards, **common, guess=None)
    assert plain.forecast is not None and plain.forecast.distribution == pytest.approx(tuple(poisson_binomial([0.9, 0.25, 0.9])))
    assert plain.share_correct == r.share_correct  # the recall-only share does not change with the model
    data = r.to_json()["score_forecast"]
    assert data["questions"] == 3 and data["interval"]["level"] == 0.8 and data["model"]["overrides"] == {}
    assert plain.to_json()["score_forecast"]["model"] == "recall only"
    assert readiness([item("f", "flashcard")], {}, **common).forecast is None


def test_calibration_on_kept_predictions():
    from certdrill.insight.readiness import ExamPrediction, calibration

    questions = [("a", 0.9, 0.25), ("b", 0.0, 0.5)]
    made = ExamPrediction.of(questions)
    assert made.actual is None and made.inside is None
    assert ExamPrediction.from_json(made.to_json()) == made
    done = [made.scored(1000, [True, True]), made.scored(550, [True, False]), made.scored(100, [False, False])]
    assert ExamPrediction.from_json(done[0].to_json()) == done[0]
    assert calibration(done[:2]) is None  # too few
    c = calibration(done)
    assert c is not None and c.exams == 3
    assert c.bias == pytest.approx(made.score - (1000 + 550 + 100) / 3)
    assert c.inside == pytest.approx(sum(made.low <= a <= made.high for a in (1000, 550, 100)) / 3)
    assert c.brier == pytest.approx(((made.pass_chance - 1) ** 2 + made.pass_chance**2 * 2) / 3)
    pairs = [(0.925, True), (0.5, True), (0.925, True), (0.5, False), (0.925, False), (0.5, False)]
    assert c.log_loss_guess == pytest.approx(log_loss(pairs))
    assert c.log_loss_recall == pytest.approx(log_loss([(0.9, r) if p == 0.925 else (0.0, r) for p, r in pairs]))


def test_never_studied_items_are_right_as_often_as_the_learners_first_answers():
    from certdrill.insight.guessing import FIRST_PRIOR, first_answer_chances

    items = [item(f"s{n}") for n in range(10)] + [item("t", "truefalse"), item("f", "flashcard")]
    first = {f"s{n}": n < 6 for n in range(10)} | {"f": True}  # six of ten singles right at first sight
    chances = first_answer_chances(items, first, GuessModel())
    assert chances == {"single": pytest.approx((6 + FIRST_PRIOR * 0.25) / (10 + FIRST_PRIOR))}  # no true/false answered, flashcards never count
    assert first_answer_chances(items, {}, GuessModel()) == {}


def test_the_quadrature_integrates_a_normal():
    from certdrill.insight.uncertainty import NONE, ModelError

    pairs = ModelError(shift=0.0, spread=1.0).nodes()
    assert len(pairs) == 7 and sum(w for _, w in pairs) == pytest.approx(1.0)
    assert sum(w * x**2 for x, w in pairs) == pytest.approx(1.0) and sum(w * x**4 for x, w in pairs) == pytest.approx(3.0)
    moved = ModelError(shift=-0.5, spread=0.2).nodes()
    assert sum(w * x for x, w in moved) == pytest.approx(-0.5) and sum(w * (x + 0.5) ** 2 for x, w in moved) == pytest.approx(0.04)
    assert NONE.nodes() == [(0.0, 1.0)] and ModelError(shift=0.3).nodes() == [(0.3, 1.0)]


def test_a_shift_moves_recall_and_leaves_the_guess_floor():
    from certdrill.insight.uncertainty import shifted

    assert shifted(0.925, 0.25, 0.0) == 0.925
    assert shifted(0.25, 0.25, -1.0) == 0.25 and shifted(1.0, 0.25, -1.0) == 1.0  # nothing recalled, or certain: nothing to move
    assert shifted(0.2, 0.25, 1.0) == 0.2  # below the floor (an unseen type answered worse than chance): left alone
    down, up = shifted(0.925, 0.25, -1.0), shifted(0.925, 0.25, 1.0)
    assert 0.25 < down < 0.925 < up < 1.0
    r = 1 / (1 + math.exp(-(math.log(9) - 1)))  # R 0.9 one log-odds unit down
    assert down == pytest.approx(p_right(r, 0.25))


def test_a_model_error_widens_the_interval_and_keeps_a_distribution():
    from certdrill.insight.uncertainty import NONE, ModelError

    chances, guesses = [0.93] * 40 + [0.7] * 25, [0.25] * 65
    exact = drawn_forecast(chances)
    assert drawn_forecast(chances, error=NONE, guesses=guesses) == exact  # no error: the exact Poisson-binomial
    wide = drawn_forecast(chances, error=ModelError(spread=0.8), guesses=guesses)
    assert sum(wide.distribution) == pytest.approx(1.0) and wide.error.spread == 0.8
    (low, high), (wide_low, wide_high) = exact.interval, wide.interval
    assert wide_low < low and wide_high >= high and wide_high - wide_low > high - low
    lower = drawn_forecast(chances, error=ModelError(shift=-0.5), guesses=guesses)  # a shift alone moves the centre, not the model
    assert lower.score < exact.score and lower.distribution == pytest.approx(drawn_forecast([shifted_p(p, -0.5) for p in chances]).distribution)
    floor = drawn_forecast([0.25] * 10, error=ModelError(spread=0.8), guesses=[0.25] * 10)  # nothing recalled: no model to be wrong about
    assert floor.distribution == pytest.approx(drawn_forecast([0.25] * 10).distribution)


def shifted_p(p, delta, g=0.25):
    from certdrill.insight.uncertainty import shifted

    return shifted(p, g, delta)


def exams_with(shift, spread, n_exams, rng, questions=65):
    """Simulated scored exams whose answers follow the predictions moved by one draw of δ per exam."""
    out = []
    for _ in range(n_exams):
        delta = rng.gauss(shift, spread)
        answers = []
        for _ in range(questions):
            r = rng.uniform(0.4, 0.98)
            answers.append((r, 0.25, rng.random() < shifted_p(p_right(r, 0.25), delta)))
        out.append(answers)
    return out


def test_the_model_error_fitted_to_a_record_finds_shift_and_spread_and_pools_with_the_default():
    from certdrill.insight.uncertainty import DEFAULT, PRIOR_EXAMS, fitted_error, learner_error

    rng = random.Random(7)
    wide = fitted_error(exams_with(-0.6, 1.0, 40, rng))
    assert wide.shift == pytest.approx(-0.6, abs=0.35) and wide.spread == pytest.approx(1.0, abs=0.3) and wide.exams == 40
    exact = fitted_error(exams_with(0.0, 0.0, 40, rng))
    assert abs(exact.shift) < 0.15 and exact.spread < 0.3
    assert learner_error([]) == DEFAULT  # no record: the default
    assert learner_error([[(0.0, 0.25, True)] * 10, [(1.0, 0.25, False)]]) == DEFAULT  # never studied or certain: no evidence
    off = [[(0.9, 0.25, False)] * 30 + [(0.9, 0.25, True)] * 5] * 2  # predicted 92%, 14% right: large residuals
    own, pooled = fitted_error(off), learner_error(off)
    n, m = 2, PRIOR_EXAMS
    assert pooled.exams == 2 and pooled.shift == pytest.approx((n * own.shift + m * DEFAULT.shift) / (n + m)) and pooled.shift < DEFAULT.shift
    variance = (n * own.spread**2 + m * DEFAULT.spread**2) / (n + m) + n * m * (own.shift - DEFAULT.shift) ** 2 / (n + m) ** 2
    assert pooled.spread == pytest.approx(math.sqrt(variance)) and pooled.spread > DEFAULT.spread


def test_a_record_of_large_residuals_widens_the_next_prediction():
    from certdrill.insight.readiness import ExamPrediction, error_for
    from certdrill.insight.uncertainty import DEFAULT, ModelError

    rng = random.Random(3)
    questions = [(f"q{n}", 0.85, 0.25) for n in range(20)]
    made = ExamPrediction.of(questions, error=DEFAULT)
    assert error_for([made]) == DEFAULT  # not scored yet: the default
    swings = [made.scored(0, [rng.random() < (0.1 if e % 2 else 0.99) for _ in range(20)]) for e in range(6)]  # far off, both ways
    error = error_for(swings)
    assert error.exams == 6 and error.spread > DEFAULT.spread
    wider = ExamPrediction.of(questions, error=error)
    assert wider.high - wider.low > made.high - made.low and wider.error == error
    assert ExamPrediction.from_json(wider.to_json()) == wider
    old = made.to_json()
    for key in ("shift", "spread", "error_exams"):
        del old["predicted"][key]  # kept before the model error existed
    assert ExamPrediction.from_json(old).error == ModelError()


def test_readiness_mixes_the_model_error_into_the_exam_day_forecast():
    from certdrill.insight.uncertainty import ModelError

    ninety = CardState(2, None, 10.0, 5.0, EXAM_AT + timedelta(days=5), EXAM_AT - timedelta(days=10), 3, 0)
    items = [item(f"a{n}", topic="a") for n in range(8)]
    cards = {i.id: ninety for i in items}
    common = {"exam_day": date(2026, 12, 3), "exam_at": EXAM_AT, "now": datetime(2026, 11, 23, 9, tzinfo=UTC), "config": SchedulerConfig(exam_date=EXAM_AT)}
    error = ModelError(shift=-0.2, spread=1.0, exams=4)
    plain, wide = readiness(items, cards, **common), readiness(items, cards, **common, error=error)
    assert plain.forecast is not None and wide.forecast is not None
    assert wide.forecast.distribution == pytest.approx(drawn_forecast([0.925] * 8, error=error, guesses=[0.25] * 8).distribution)
    assert wide.forecast.pass_chance < plain.forecast.pass_chance  # 92.5% a question passes easily; the model's error can sink it
    data = wide.to_json()["score_forecast"]["uncertainty"]
    assert (data["shift"], data["spread"], data["scored_exams"]) == (-0.2, 1.0, 4) and "4 scored mock exams" in data["source"]


def test_the_model_error_moves_studied_items_only():
    from certdrill.insight.uncertainty import ModelError

    ninety = CardState(2, None, 10.0, 5.0, EXAM_AT + timedelta(days=5), EXAM_AT - timedelta(days=10), 3, 0)
    items = [item("seen", topic="a"), item("new", topic="a")]
    common = {"exam_day": date(2026, 12, 3), "exam_at": EXAM_AT, "now": datetime(2026, 11, 23, 9, tzinfo=UTC), "config": SchedulerConfig(exam_date=EXAM_AT)}
    error = ModelError(shift=-0.5, spread=0.8)
    ready = readiness(items, {"seen": ninety}, **common, guess=GuessModel(first={"single": 0.45}), error=error)
    # the unseen item is right as often as first answers (0.45), estimated from all of them: no FSRS recall to be wrong about
    expected = drawn_forecast([0.925, 0.45], error=error, guesses=[0.25, 0.45])
    assert ready.forecast is not None and ready.forecast.distribution == pytest.approx(expected.distribution)
    assert expected.distribution != pytest.approx(drawn_forecast([0.925, 0.45], error=error, guesses=[0.25, 0.25]).distribution)


def test_the_interval_holds_about_80_percent_where_the_conservative_one_holds_far_more():
    f = drawn_forecast([0.97] * 65)  # two or three likely scores: the steps of 900 / 65 are coarse
    low, high = f.interval
    old_low, old_high = f.conservative_interval
    mass = sum(w for k, w in enumerate(f.distribution) if low <= exam_score(k, 65) <= high)
    old_mass = sum(w for k, w in enumerate(f.distribution) if old_low <= exam_score(k, 65) <= old_high)
    assert old_low <= low <= high <= old_high and old_mass >= 0.8 and abs(mass - 0.8) < abs(old_mass - 0.8)
    assert f.coverage == pytest.approx(mass)
