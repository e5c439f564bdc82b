"""`certdrill optimize`: fit FSRS to the review log of a simulated learner whose memory we know."""

import re
from datetime import UTC, datetime

import pytest

from certdrill import optimize as core
from certdrill.scheduler import GOOD, SchedulerConfig, default_parameters
from certdrill.store.store import Store
from certdrill.tools.learner import Learner, perturbed
from support import json_of, stored

TRUTH = perturbed(default_parameters(), 0.5, seed=2)  # a learner well away from the average one


def open_store(home):
    return Store.open(home / "progress.sqlite3")


@pytest.fixture
def studied(home):
    """About 3,800 reviews of 150 items over eight months, by a learner whose memory is TRUTH."""
    stored(home, lambda store: store.merge_reviews(Learner(TRUTH, seed=4).study(150, 240, datetime(2026, 1, 1, tzinfo=UTC))))
    return home


def optimize_json(cli, *args):
    return json_of(cli("optimize", "--json", *args))


def test_a_fit_that_predicts_better_is_adopted_and_schedules_from_then_on(cli, mini, studied):
    from certdrill.cli.common import load_settings
    from certdrill.cli.study import scheduler_config

    data = optimize_json(cli)
    assert data["reviews"] > 3000 and data["better"] and data["adopted"]
    assert data["fitted"]["log_loss"] < data["in_use"]["log_loss"] and data["fitted"]["rmse_bins"] <= data["in_use"]["rmse_bins"]
    assert data["in_use"]["parameters"] == list(default_parameters())
    fitted = tuple(data["fitted"]["parameters"])
    store = open_store(studied)
    try:
        assert scheduler_config(load_settings(), store=store).parameters == fitted  # what study, missed and exam use
        cards = store.cards()
        store.rebuild_cards(SchedulerConfig(parameters=fitted))
        assert store.cards() == cards  # every card was replayed under them
        store.rebuild_cards(SchedulerConfig())
        assert store.cards() != cards
    finally:
        store.close()
    stats = json_of(cli("stats", "--json", "--bank", mini))["fsrs"]
    assert stats["source"] == "fitted" and stats["parameters"] == list(fitted)
    assert stats["last_fit"]["adopted"] and stats["last_fit"]["in_use"]["log_loss"] == data["fitted"]["log_loss"]
    shown = " ".join(cli("stats", "--bank", mini).output.split())
    assert f"FSRS parameters: fitted to {data['reviews']:,} reviews on 2026-11-23" in shown and "on held-out reviews" in shown


def test_fitting_brings_the_predictions_closer_to_the_learners_true_memory(studied):
    store = open_store(studied)
    try:
        logs = list(store.logs_by_item())
    finally:
        store.close()
    fit = core.fit(logs, default_parameters())
    items, _ = core.training_items(logs)
    truth, default, fitted = (core.score(w, items) for w in (TRUTH, default_parameters(), fit.fitted))
    assert truth.log_loss < fitted.log_loss < default.log_loss


def test_dry_run_and_show_change_nothing(cli, studied):
    data = optimize_json(cli, "--dry-run")
    assert data["better"] and not data["adopted"] and data["dry_run"]
    shown = optimize_json(cli, "--show")
    assert shown == {"source": "default", "parameters": list(default_parameters()), "last_fit": None}
    text = cli("optimize", "--show").output
    assert "the defaults" in text and "w = 0.2120, 1.2931" in text


def test_reset_goes_back_to_the_defaults(cli, studied):
    optimize_json(cli)
    reset = optimize_json(cli, "--reset")
    assert reset["parameters"] == "default" and reset["cards_replayed"] == 150
    store = open_store(studied)
    try:
        assert store.parameters_record() is None
        cards = store.cards()
        store.rebuild_cards(SchedulerConfig())
        assert store.cards() == cards
    finally:
        store.close()


def test_too_few_reviews_is_said_plainly_and_nothing_changes(cli, home):
    from certdrill.review_log import Review

    stored(
        home, lambda store: store.merge_reviews([Review(f"r{n}", "x", "mini", datetime(2026, 1, 1 + n, tzinfo=UTC), GOOD, None, None, 1000) for n in range(5)])
    )
    result = cli("optimize")
    assert result.exit_code == 0
    assert "Not fitted: 5 reviews so far; fitting needs at least 400" in result.output
    assert optimize_json(cli, "--show")["source"] == "default"


def test_without_the_optimizer_installed_it_is_one_line(cli, studied, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # import fails, as without the extra
    result = cli("optimize")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: fitting parameters needs the optimizer: pip install 'certdrill[optimize]'"


def test_an_unreadable_record_is_a_store_error(cli, mini, home):
    stored(home, lambda store: store.save_parameters_record("{not json"))
    result = cli("study", "--bank", mini, input="q\n")
    assert result.exit_code == 3 and "run certdrill optimize --reset" in result.output


def test_a_fit_is_adopted_only_when_its_log_loss_is_lower_and_its_rmse_no_higher():
    at = datetime(2026, 11, 23, 9, tzinfo=UTC)
    current, fitted = default_parameters(), TRUTH

    def fit(fitted_score):
        return core.Fit(1000, 500, current, fitted, core.Score(0.40, 0.05), fitted_score)

    assert fit(core.Score(0.39, 0.05)).better
    assert not fit(core.Score(0.39, 0.06)).better
    assert not fit(core.Score(0.40, 0.04)).better
    kept = core.record(fit(core.Score(0.41, 0.05)), at, adopt=False)
    assert kept.parameters is None and kept.score == core.Score(0.40, 0.05) and kept.rival == core.Score(0.41, 0.05)
    adopted = core.record(fit(core.Score(0.39, 0.05)), at, adopt=True)
    assert adopted.parameters == TRUTH and core.Record.from_json(adopted.to_json()) == adopted


def test_training_items_follow_fsrs_rs_conversion():
    minute, day = 60_000, core.DAY_MS
    log = [(0, 1), (10 * minute, 3), (day + 20 * minute, 3), (3 * day, 1), (3 * day + minute, 3), (10 * day, 3)]
    items, reviews = core.training_items([log])
    assert reviews == 6
    # an item for each review a whole day or more after the one before, with all the history before
    # it: the gaps in whole days (0 within the same 24 hours, as fsrs counts them)
    assert [re.findall(r"rating: (\d), delta_t: (\d+)", repr(item)) for item in items] == [
        [("1", "0"), ("3", "0"), ("3", "1")],
        [("1", "0"), ("3", "0"), ("3", "1"), ("1", "1")],
        [("1", "0"), ("3", "0"), ("3", "1"), ("1", "1"), ("3", "0"), ("3", "6")],
    ]
