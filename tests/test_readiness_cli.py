"""`stats` with an exam date: the predicted score with its interval and pass chance, and the guessing settings."""

from datetime import UTC, datetime

import pytest

from certdrill.bank.open import load_bank
from certdrill.insight.guessing import GuessModel
from certdrill.insight.plan import chance_right, exam_forecast
from certdrill.schedule.scheduler import SchedulerConfig
from support import json_of


def test_json_forecast_on_a_fresh_start_is_the_guessing_floor(cli, mini):
    data = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]
    forecast = data["score_forecast"]
    items = load_bank(mini).items
    eligible = [i for i in items if i.type != "flashcard"]
    assert forecast["questions"] == len(eligible)  # fewer eligible than 65: every one is asked
    never = datetime(2026, 12, 20, tzinfo=UTC)  # no card: recall 0 whatever the time
    expected = exam_forecast(items, {i.id: chance_right(i, None, never, SchedulerConfig(), GuessModel()) for i in items}, {})
    assert expected is not None and forecast["score"] == expected.score
    low, high = forecast["interval"]["low"], forecast["interval"]["high"]
    assert 100 <= low <= forecast["score"] <= high and forecast["interval"]["coverage"] >= 0.8
    assert 0 <= forecast["pass_chance"] < 0.01 and forecast["pass_score"] == 720
    recall = "posterior replay: a right answer is recall or a lucky guess"
    assert forecast["model"] == {"model": "recall or guess: P(right) = R + (1 - R) * g", "overrides": {}, "recall": recall}


def test_text_shows_interval_and_pass_chance(cli, mini):
    out = cli("stats", "--bank", mini, "--exam-date", "2026-12-20").output
    assert "Predicted mock-exam score:" in out and "below the pass mark" in out
    assert "80% likely between" in out and "chance of passing under 1%" in out


def test_a_guess_setting_moves_the_forecast_and_bad_values_are_refused(cli, mini):
    before = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert cli("config", "set", "guess-single", "0.9").exit_code == 0
    after = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert after["model"]["overrides"] == {"single": 0.9} and after["score"] > before["score"]
    assert cli("config", "set", "guess-single", "none").exit_code == 0
    assert json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"] == before
    bad = cli("config", "set", "guess-multi", "1.5")
    assert bad.exit_code == 2 and "guess-multi" in bad.output and "0-0.95" in bad.output


@pytest.mark.parametrize("value", ["0", "0.5", "0.95"])
def test_guess_settings_take_chances_up_to_095(cli, value):
    assert cli("config", "set", "guess-truefalse", value).exit_code == 0


def sit(cli, mini, seed, right_share):
    """One 4-question mock exam, the first `right_share` of its questions answered right."""
    from test_exam_cli import planned

    plan = planned(mini, 4, seed)
    answers = [right if n < round(right_share * 4) else wrong for n, (_, right, wrong) in enumerate(plan)]
    return cli("exam", "--bank", mini, "--count", "4", "--seed", str(seed), input="\n".join(answers) + "\n")


def test_a_mock_exam_shows_its_prediction_against_the_score_and_keeps_it(cli, mini, home):
    from certdrill.insight.readiness import ExamPrediction, drawn_forecast
    from certdrill.store import exams
    from certdrill.store.store import Store

    result = sit(cli, mini, 3, 0.5)
    assert result.exit_code == 0, result.output
    # nothing studied: every question's chance is its guess chance, so the prediction is the guessing floor
    said = " ".join(result.output.split())
    store = Store.open(home / "progress.sqlite3")
    try:
        (row,) = exams.history(store)
        kept = ExamPrediction.from_json(exams.prediction(store, row.id))
    finally:
        store.close()
    assert kept.actual == 550 and kept.right == (True, True, False, False)
    assert all(r == 0.0 for _, r, _ in kept.questions)
    floor = drawn_forecast([g for _, _, g in kept.questions])
    assert (kept.score, kept.low, kept.high) == (floor.score, *floor.interval) == (381, 100, 550)
    assert f"Predicted when drawn: 381 (80% likely 100-550, chance of passing {floor.pass_chance:.0%}); you scored 550, inside the interval." in said


def test_stats_shows_calibration_once_a_few_exams_are_scored(cli, mini):
    for seed, share in ((3, 0.5), (4, 1.0)):
        assert sit(cli, mini, seed, share).exit_code == 0
    exam = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]
    assert exam["calibration"] is None  # two exams: too few to say
    assert "Predictions of your" not in cli("stats", "--bank", mini, "--exam-date", "2026-12-20").output
    assert sit(cli, mini, 5, 0.75).exit_code == 0
    cal = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["calibration"]
    assert cal["exams"] == 3 and cal["mean_abs_error"] >= abs(cal["bias"]) and 0 <= cal["inside_interval"] <= 1
    assert set(cal["log_loss"]) == {"recall_or_guess", "recall_only"}
    out = cli("stats", "--plan", "--bank", mini, "--exam-date", "2026-12-20").output
    assert "Predictions of your 3 mock exams: predicted − actual" in out and "inside their 80% interval" in out


def test_the_forecast_counts_unseen_items_at_the_learners_first_answer_rate(cli, mini):
    from support import json_of as read

    assert sit(cli, mini, 3, 1.0).exit_code == 0  # four first answers, all right
    model = read(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]["model"]
    from certdrill.bank.open import load_bank
    from certdrill.insight.guessing import first_answer_chances
    from test_exam_cli import planned

    asked = {item.id: True for item, _, _ in planned(mini, 4, 3)}
    expected = first_answer_chances(load_bank(mini).items, asked, GuessModel())
    assert expected and model["first_answer"] == pytest.approx(expected)
    assert all(v > 0.5 for k, v in expected.items() if k == "truefalse") and all(v > 0.25 for k, v in expected.items() if k == "single")


def test_without_a_record_the_interval_allows_the_default_model_error(cli, mini):
    from certdrill.insight.uncertainty import DEFAULT

    forecast = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert forecast["uncertainty"] == DEFAULT.to_json() | {"default": {"shift": DEFAULT.shift, "spread": DEFAULT.spread}, "source": "default"}
    out = " ".join(cli("stats", "--plan", "--bank", mini, "--exam-date", "2026-12-20").output.split())
    assert f"allowing for the model's own error: shift {DEFAULT.shift:+.2f}, spread {DEFAULT.spread:.2f}; default until your mock exams say otherwise" in out


def test_a_record_of_large_residuals_widens_the_interval(cli, mini, home, monkeypatch):
    from certdrill.insight.readiness import ExamPrediction, error_for
    from certdrill.insight.uncertainty import DEFAULT
    from certdrill.store import exams
    from certdrill.store.store import Store

    assert sit(cli, mini, 3, 1.0).exit_code == 0  # the four questions learnt (R 1 right after: nothing to check the model on)
    for day, share in ((1, 0.0), (2, 1.0), (3, 0.0)):  # then, days later, predicted likely: all wrong, all right, all wrong
        monkeypatch.setenv("CERTDRILL_NOW", f"2026-12-{day:02d}T09:00:00+00:00")
        assert sit(cli, mini, 3, share).exit_code == 0
    store = Store.open(home / "progress.sqlite3")
    try:
        kept = [ExamPrediction.from_json(exams.prediction(store, row.id)) for row in exams.history(store)]
    finally:
        store.close()
    assert [k.error for k in kept[:2]] == [DEFAULT, DEFAULT]  # each exam predicted with the record before it
    assert kept[3].error == error_for(kept[:3]) and kept[3].error.exams == 2
    error = error_for(kept)
    assert error.exams == 3 and error.spread > DEFAULT.spread
    forecast = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert forecast["uncertainty"]["scored_exams"] == 3 and forecast["uncertainty"]["spread"] == pytest.approx(error.spread)
    assert "fitted to your 3 mock exams" in " ".join(cli("stats", "--bank", mini, "--exam-date", "2026-12-20").output.split())
    monkeypatch.setattr("certdrill.insight.readiness.error_for", lambda kept: DEFAULT)  # the same progress, read with the default
    at_default = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert forecast["sd"] > at_default["sd"] and forecast["interval"]["width"] >= at_default["interval"]["width"]


def test_stats_and_the_next_exam_take_right_answers_as_recall_or_guess(cli, mini, home, monkeypatch):
    from certdrill.clock import local_midnight
    from certdrill.config import Settings
    from certdrill.insight.guessing import learner_model, recall_beliefs
    from certdrill.insight.plan import readiness
    from certdrill.insight.readiness import ExamPrediction
    from certdrill.insight.uncertainty import DEFAULT
    from certdrill.schedule.posterior import BRANCH_LAST, belief_recall
    from certdrill.store import exams
    from certdrill.store.store import Store

    assert sit(cli, mini, 3, 1.0).exit_code == 0  # four first answers, all right: some of them lucky guesses
    monkeypatch.setenv("CERTDRILL_NOW", "2026-12-03T09:00:00+00:00")
    forecast = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    store = Store.open(home / "progress.sqlite3")
    try:
        cards, first, reviews = store.cards(), store.first_answers(), store.reviews()
    finally:
        store.close()
    assert sit(cli, mini, 3, 1.0).exit_code == 0  # the same four questions, drawn two days later
    store = Store.open(home / "progress.sqlite3")
    try:
        second = ExamPrediction.from_json(exams.prediction(store, exams.history(store)[-1].id))
    finally:
        store.close()
    items = load_bank(mini).items
    exam = local_midnight(datetime(2026, 12, 20).date())
    config = SchedulerConfig(exam_date=exam)
    model = learner_model(Settings(), items, first)
    windows = {k: (None, [(r.reviewed_at, r.rating) for r in reviews if r.item_id == k]) for k in cards}
    assert all(len(answers) <= BRANCH_LAST for _, answers in windows.values())  # every answer splits
    beliefs = recall_beliefs(items, windows, model, config)
    now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    kwargs = {"exam_day": exam.date(), "exam_at": exam, "now": now, "config": config, "guess": model, "weights": load_bank(mini).weights}
    posterior = readiness(items, cards, error=DEFAULT, beliefs=beliefs, **kwargs).forecast
    plain = readiness(items, cards, error=DEFAULT, **kwargs).forecast
    assert posterior is not None and plain is not None and posterior.expected_right < plain.expected_right
    assert forecast["score"] == posterior.score and forecast["interval"]["low"] == posterior.interval[0]
    studied = [(item_id, r) for item_id, r, _ in second.questions if item_id in beliefs]
    assert studied and all(r == pytest.approx(belief_recall(beliefs[item_id], now, config)) for item_id, r in studied)
    assert forecast["model"]["recall"].startswith("posterior replay")
    monkeypatch.setattr("certdrill.schedule.posterior.BUDGET", 3)  # more answers than that: stats reads the plain cards, and says so
    over = json_of(cli("stats", "--json", "--bank", mini, "--exam-date", "2026-12-20"))["exam"]["score_forecast"]
    assert over["model"]["recall"] == "plain FSRS"
