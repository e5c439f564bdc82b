"""Whatever certdrill accepts at a boundary (a progress file's dates and numbers, a setting, the
clock), every command still runs afterwards: nothing accepted can poison later runs."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from test_fuzz import assert_no_traceback, fresh_home

EDGES = [
    date(1, 1, 1),
    date(1, 1, 2),
    date(1969, 12, 31),
    date(1970, 1, 1),
    date(1999, 12, 31),
    date(2000, 1, 1),
    date(2100, 12, 31),
    date(2101, 1, 1),
    date(9999, 12, 31),
]
AFTER = [
    ("stats",),
    ("stats", "--json"),
    ("study", "--new", "2"),
    ("missed",),
    ("exam", "--history"),
    ("export", "-o", "-"),
    ("optimize", "--show"),
]


def progress(day: date, time: str, duration: int | None) -> str:
    review = {"id": "r1", "item_id": "ecr-scan", "reviewed_at": f"{day.isoformat()}T{time}", "rating": 3, "duration_ms": duration}
    return json.dumps({"format": "certdrill-progress", "version": 1, "reviews": [review]})


def one_error_line(result) -> None:
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: "), result.output


def check_every_command_runs(cli, mini) -> None:
    for command in AFTER:
        result = cli(*command, "--bank", mini, input="a\n\n3\nq\n") if command[0] != "optimize" else cli(*command)
        assert_no_traceback(result)
        assert result.exit_code == 0, (command, result.output)


def try_values(cli, tmp_path, mini, *, day: date, time: str, duration: int | None, exam: date, now: date, per_day: int) -> None:
    os.environ["CERTDRILL_NOW"] = f"{now.isoformat()}T09:00:00+00:00"
    if not 2000 <= now.year <= 2100:  # a clock outside the years: every command that reads it says so
        return one_error_line(cli("stats", "--bank", mini))
    path = tmp_path / "p.json"
    path.write_text(progress(day, time, duration))
    imported = cli("import", path)
    assert_no_traceback(imported)
    assert imported.exit_code in (0, 2), imported.output
    for key, value in (("exam-date", exam.isoformat()), ("reviews-per-day", str(per_day)), ("new-per-day", str(per_day))):
        result = cli("config", "set", key, value)
        if result.exit_code:
            one_error_line(result)
    check_every_command_runs(cli, mini)


days = st.sampled_from(EDGES) | st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    day=days,
    time=st.sampled_from(["00:00:00.000Z", "23:59:59.999Z", "23:00:00-05:00", "00:30:00+14:00"]),
    duration=st.none() | st.integers(-1, 2**63),
    exam=days,
    now=st.sampled_from([date(2026, 11, 23), date(2000, 1, 1), date(2100, 12, 31)]) | days,
    per_day=st.integers(-1, 200_000),
)
def test_whatever_is_accepted_every_command_still_runs(cli, tmp_path, mini, monkeypatch, day, time, duration, exam, now, per_day):
    monkeypatch.setenv("CERTDRILL_NOW", os.environ["CERTDRILL_NOW"])  # restored after the test
    with fresh_home():
        try_values(cli, tmp_path, mini, day=day, time=time, duration=duration, exam=exam, now=now, per_day=per_day)


@pytest.mark.parametrize("day", EDGES, ids=str)
def test_dates_at_the_edges_are_refused_at_the_boundary_or_work_everywhere(cli, tmp_path, mini, monkeypatch, day):
    monkeypatch.setenv("CERTDRILL_NOW", os.environ["CERTDRILL_NOW"])
    try_values(cli, tmp_path, mini, day=day, time="23:59:59.999Z", duration=5000, exam=day, now=date(2026, 11, 23), per_day=100_000)


@pytest.mark.parametrize(
    ("day", "accepted"),
    [(date(1, 1, 1), False), (date(1999, 12, 31), False), (date(2000, 1, 1), True), (date(2100, 12, 31), True), (date(9999, 12, 31), False)],
)
def test_a_review_date_outside_the_years_is_refused_naming_line_and_field(cli, tmp_path, day, accepted):
    path = tmp_path / "p.json"
    path.write_text(progress(day, "12:00:00.000Z", None))
    result = cli("import", path)
    if accepted:
        assert result.exit_code == 0, result.output
    else:
        one_error_line(result)
        assert "p.json:1: reviews[0].reviewed_at: must be in the years 2000-2100" in result.output


def test_an_exam_date_outside_the_years_is_refused(cli):
    for day in ("0001-01-02", "1999-12-31", "2101-01-01", "9999-12-31"):
        result = cli("config", "set", "exam-date", day)
        one_error_line(result)
        assert "in the years 2000-2100" in result.output
    assert cli("config", "set", "exam-date", "2100-12-31").exit_code == 0


def test_a_settings_file_edited_by_hand_is_checked_too(cli, home, mini):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.json").write_text(json.dumps({"exam-date": "0001-01-02"}))
    result = cli("stats", "--bank", mini)
    one_error_line(result)
    assert "config.json: exam-date" in result.output


def test_a_duration_too_long_to_sum_is_refused(cli, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(progress(date(2026, 11, 20), "12:00:00.000Z", 2**62))
    result = cli("import", path)
    one_error_line(result)
    assert "reviews[0].duration_ms" in result.output
