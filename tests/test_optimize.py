"""`certdrill optimize`: FSRS fitted to the learner's own log with fsrs-rs, adopted only if it predicts better.

The log comes from a simulated learner whose memory follows FSRS-6 with parameters far from the
defaults (a third of the initial stabilities, slower growth after each success); certdrill's
default scheduler decides when each item comes back, as it would for a real user.
"""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from functools import cache

import fsrs
import pytest

from certdrill.insight import optimize as core
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import SchedulerConfig, default_parameters, review
from certdrill.store.store import Store

pytest.importorskip("fsrs_rs_python", reason="the optimize extra (fsrs-rs-python) is installed with the test extra")

START = datetime(2026, 5, 1, 9, tzinfo=UTC)
# A learner who forgets faster than FSRS's defaults assume: w0-w3 (initial stabilities) a third,
# w8 (how much a success stretches stability) lower.
TRUE = tuple(w / 3 if i < 4 else w - 0.6 if i == 8 else w for i, w in enumerate(default_parameters()))


@cache
def simulated_log(items: int = 150, days: int = 200, seed: int = 7) -> tuple[Review, ...]:
    """A learner reviewing what certdrill's default scheduler says is due, every day at 9:00."""
    rng = random.Random(seed)
    memory = fsrs.Scheduler(parameters=TRUE, enable_fuzzing=False)
    truth: dict[str, fsrs.Card] = {}
    cards = {}
    reviews = []
    for day in range(days):
        now = START + timedelta(days=day)
        new_today = [f"item-{n}" for n in range(items) if f"item-{n}" not in cards][:10]
        due = [item for item, card in cards.items() if card.due <= now + timedelta(hours=12)]
        for item in due + new_today:
            card = truth.get(item)
            recall = memory.get_card_retrievability(card, now) if card is not None else 0.3
            right = rng.random() < recall
            rating = 3 if right else 1
            truth[item], _ = memory.review_card(card or fsrs.Card(), fsrs.Rating(rating), review_datetime=now)
            review_id = f"r{len(reviews):06d}"
            cards[item] = review(cards.get(item), rating, now, review_id, SchedulerConfig())
            reviews.append(Review(review_id, item, "sim", now, rating, None, right, 5000, "study", f"s{day}"))
    return tuple(reviews)


@pytest.fixture
def learner_home(home):
    store = Store.open(home / "progress.sqlite3")
    try:
        store.merge_reviews(simulated_log())
    finally:
        store.close()
    return home


def stored_record(home) -> core.Record | None:
    store = Store.open(home / "progress.sqlite3")
    try:
        stored = store.optimizer_record()
        return core.Record.from_json(stored) if stored else None
    finally:
        store.close()


def test_too_few_reviews_say_so_and_change_nothing(cli, home):
    result = cli("optimize")
    assert result.exit_code == 0
    assert "Not fitted: 0 reviews so far; fitting needs at least 400" in result.output
    data = json.loads(cli("optimize", "--json").output)
    assert data["fitted"] is False and "400" in data["reason"]


def test_the_fit_is_adopted_when_it_predicts_held_out_reviews_better(cli, learner_home):
    result = cli("optimize", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["reviews"] == len(simulated_log())
    assert data["fitted"]["log_loss"] < data["in_use"]["log_loss"] and data["better"] and data["adopted"]
    record = stored_record(learner_home)
    assert record.fitted and list(record.parameters) == data["fitted"]["parameters"]


def test_fitting_recovers_the_learners_parameters(learner_home):
    """The fitted initial stabilities land near the learner's own, and w8 moves toward it."""
    store = Store.open(learner_home / "progress.sqlite3")
    try:
        fit = core.fit(store.logs_by_item(), None)
    finally:
        store.close()
    for w in range(4):
        off_fitted, off_default = abs(math.log(fit.fitted[w] / TRUE[w])), abs(math.log(default_parameters()[w] / TRUE[w]))
        assert off_fitted < off_default / 2, (w, fit.fitted[w], TRUE[w])
    assert abs(fit.fitted[8] - TRUE[8]) < abs(default_parameters()[8] - TRUE[8])


def test_adopted_parameters_drive_study_and_show_in_stats(cli, mini, learner_home):
    cli("optimize")
    fitted = stored_record(learner_home).parameters
    shown = json.loads(cli("stats", "--json", "--bank", mini).output)["fsrs"]
    assert shown["source"] == "fitted" and shown["parameters"] == list(fitted)
    assert shown["checked"]["held_out"]["log_loss"] > 0
    store = Store.open(learner_home / "progress.sqlite3")
    try:
        from certdrill.config import Settings
        from certdrill.services.workspace import scheduler_config

        assert scheduler_config(Settings(), store=store).parameters == fitted
        cached = store.cards()["item-3"]
        rebuilt = store.rebuild_cards(SchedulerConfig(parameters=fitted)) and store.cards()["item-3"]
        assert cached == rebuilt, "adopting rescheduled every card with the fitted parameters"
    finally:
        store.close()
    assert "FSRS parameters: fitted to your reviews" in cli("stats", "--bank", mini).output


def test_parameters_that_do_not_predict_better_are_not_adopted(cli, learner_home, monkeypatch):
    real_fit = core.fit

    def worse(logs, current, **kwargs):
        fit = real_fit(logs, current, **kwargs)
        return core.Fit(fit.reviews, fit.items, fit.current, fit.fitted, fit.fitted_score, fit.current_score, adopted=False)

    monkeypatch.setattr(core, "fit", worse)
    result = cli("optimize")
    assert result.exit_code == 0 and "Kept the parameters in use" in result.output
    record = stored_record(learner_home)
    assert not record.fitted and record.parameters == default_parameters()
    assert "FSRS parameters: fsrs's defaults; on held-out reviews" in cli("optimize", "--show").output


def test_dry_run_changes_nothing_and_reset_goes_back_to_the_defaults(cli, learner_home):
    before = (learner_home / "progress.sqlite3").read_bytes()
    assert "--dry-run kept the ones in use" in cli("optimize", "--dry-run").output
    assert stored_record(learner_home) is None
    assert (learner_home / "progress.sqlite3").read_bytes() == before
    cli("optimize")
    assert stored_record(learner_home).fitted
    reset = cli("optimize", "--reset")
    assert reset.exit_code == 0 and "Back to fsrs's default parameters" in reset.output
    assert stored_record(learner_home) is None


def test_flags_go_one_at_a_time(cli):
    result = cli("optimize", "--show", "--reset")
    assert result.exit_code == 2 and "one at a time" in result.output


def test_a_missing_optimizer_is_a_one_line_error(cli, learner_home, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "fsrs_rs_python", None)
    result = cli("optimize")
    assert result.exit_code == 4  # a missing extra, whichever it is
    assert result.output.strip() == "Error: fitting parameters needs the optimizer extra: pip install 'certdrill[optimize]'"


def damage_the_parameters_record(home) -> None:
    store = Store.open(home / "progress.sqlite3")
    try:
        store.set_optimizer_record('{"parameters": "nope"}')
    finally:
        store.close()


def test_a_damaged_parameters_record_says_how_to_recover(cli, learner_home):
    damage_the_parameters_record(learner_home)
    result = cli("optimize", "--show")
    assert result.exit_code != 0 and "certdrill optimize --reset" in result.output and "Traceback" not in result.output


def test_a_long_log_trains_on_a_sample_of_whole_card_histories(monkeypatch):
    """20 cards reviewed daily for 10 days (9 predicted reviews each), at most 50 training items: 5 whole cards."""
    monkeypatch.setattr(core, "MAX_TRAINING_ITEMS", 50)
    day = 86_400_000
    logs = [[(n * 1000 + k * day, 3) for k in range(10)] for n in range(20)]
    items, reviews = core.training_items(logs)
    assert reviews == 200 and len(items) == 45
    history_lengths = [len(item.reviews) for item in items]  # oldest first: each card's day-k review has k + 1 reviews behind it
    assert history_lengths == [k for k in range(2, 11) for _ in range(5)]


def test_a_refusal_from_fsrs_rs_is_a_message(cli, learner_home, monkeypatch):
    import fsrs_rs_python

    class Refusing:
        def __init__(self, parameters):
            pass

        def compute_parameters(self, items):
            raise ValueError("NotEnoughData")

    monkeypatch.setattr(fsrs_rs_python, "FSRS", Refusing)
    result = cli("optimize")
    assert result.exit_code == 0 and "Not fitted: fsrs-rs could not fit these reviews (NotEnoughData)" in result.output
    assert stored_record(learner_home) is None


def test_reset_recovers_from_a_damaged_parameters_record(cli, learner_home):
    damage_the_parameters_record(learner_home)
    result = cli("optimize", "--reset")
    assert result.exit_code == 0 and "Back to fsrs's default parameters" in result.output
    assert stored_record(learner_home) is None and cli("optimize", "--show").exit_code == 0


def test_the_report_says_when_it_trained_on_a_sample(cli, learner_home, monkeypatch):
    result = cli("optimize", "--dry-run")
    assert result.exit_code == 0 and "trained on" in result.output and "sample" not in result.output and "most recent" not in result.output
    monkeypatch.setattr(core, "MAX_TRAINING_ITEMS", 2000)
    result = cli("optimize", "--dry-run")
    assert result.exit_code == 0 and "a sample of whole card histories" in result.output and "(more than 2,000 did)" in result.output
