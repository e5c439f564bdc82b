"""`stats` with an exam date: the predicted score with its interval and pass chance, and the guessing settings."""

from datetime import UTC, datetime

import pytest

from certdrill.bank.loader import load_bank
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
    assert forecast["model"] == {"model": "recall or guess: P(right) = R + (1 - R) * g", "overrides": {}}


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
