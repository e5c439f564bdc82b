"""`certdrill stats`, `--exam-date` and `missed --confusions` through the command line."""

import re

import pytest

from certdrill.insight.plan import NEW_ITEM_PRIOR
from certdrill.schedule.scheduler import SchedulerConfig, retrievability
from certdrill.store.store import Store
from handlog import LOG
from support import json_of

BLOCKS = re.compile("[░▒▓█▁▂▃▄▅▆▇]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def open_store(home):
    return Store.open(home / "progress.sqlite3")


@pytest.fixture
def logged(home):
    store = open_store(home)
    try:
        store.merge_reviews(LOG)
    finally:
        store.close()
    return home


def stats_json(cli, *args):
    return json_of(cli("stats", "--json", *args))


def test_json_has_every_figure_worked_out_by_hand(cli, mini, logged):
    data = stats_json(cli, "--bank", mini)
    assert set(data) == {
        "bank",
        "now",
        "today",
        "overall",
        "retention",
        "streak",
        "heatmap",
        "forecast",
        "mastery",
        "confusions",
        "mock_exams",
        "fsrs",
        "exam",
        "leeches",
        "suspended",
    }
    assert data["bank"] == {"name": "mini", "title": "Mini test bank", "items": 12}
    assert data["today"] == {"date": "2026-11-23", "reviews": 3, "time_ms": 20_000, "graded": 2, "right": 1, "accuracy": 0.5}
    assert data["overall"] == {"reviews": 7, "time_ms": 70_000, "graded": 6, "right": 2, "accuracy": pytest.approx(1 / 3)}
    assert data["retention"] == {"mature_days": 21, "mature_recalls": 0, "right": 0, "true_retention": None}
    assert data["streak"] == {"days": 3}
    heat = data["heatmap"]
    assert (heat["start"], heat["end"], len(heat["counts"])) == ("2026-08-10", "2026-11-23", 106)
    assert {d: n for d, n in heat["counts"].items() if n} == {"2026-11-19": 1, "2026-11-21": 1, "2026-11-22": 2, "2026-11-23": 3}
    # two cards are still in a learning step, due within minutes of their last answer; roles-pull and
    # ecr-scan took their step a day late, right, so they left learning (issue 12): one is due today
    # (a one-day interval from 22 Nov 10:00), ecr-scan tomorrow
    assert len(data["forecast"]) == 30 and data["forecast"]["2026-11-23"] == 3 and data["forecast"]["2026-11-24"] == 1
    assert sum(data["forecast"].values()) == 4
    assert [(m["topic"], m["items"], m["seen"]) for m in data["mastery"]] == [("ecr", 6, 1), ("roles", 6, 3)]
    assert data["confusions"] == [
        {"picked": "Task role", "answer": "Task execution role", "count": 2, "items": ["roles-pull"]},
        {"picked": "Instance profile", "answer": "Task execution role", "count": 1, "items": ["roles-two"]},
        {"picked": "Lifecycle policies", "answer": "Image scanning", "count": 1, "items": ["ecr-scan"]},
    ]
    assert data["mock_exams"] == {"scored": 0, "best": None, "last": None}
    assert data["exam"] is None


def test_mock_exam_answers_count_as_reviews_and_the_last_score_shows(cli, mini, home):
    from test_exam_cli import planned

    answers = [right if n % 2 else wrong for n, (_, right, wrong) in enumerate(planned(mini, 4, 3))]  # two right, two wrong
    exam = cli("exam", "--bank", mini, "--count", "4", "--seed", "3", input="\n".join(answers) + "\n")
    assert exam.exit_code == 0, exam.output
    score = int(re.search(r"Score (\d+) / 1000", exam.output).group(1))
    assert score == 550
    data = stats_json(cli, "--bank", mini)
    assert {k: data["overall"][k] for k in ("reviews", "graded", "right")} == {"reviews": 4, "graded": 4, "right": 2}
    assert data["mock_exams"]["scored"] == 1 and data["mock_exams"]["last"]["scaled"] == score == data["mock_exams"]["best"]
    assert f"Mock exams: 1 scored; last {score} on 2026-11-23" in cli("stats", "--bank", mini).output


def test_mastery_and_readiness_follow_the_memory_model(cli, mini, logged):
    store = open_store(logged)
    try:
        cards = store.cards()
    finally:
        store.close()
    data = stats_json(cli, "--bank", mini, "--exam-date", "2026-12-20")
    from datetime import UTC, datetime

    now, exam = datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)
    roles_now = sum(retrievability(cards[i], now) for i in ("roles-pull", "roles-task-role-card", "roles-two")) / 6
    assert data["mastery"][1]["recall"] == pytest.approx(roles_now)
    on_exam_day = [retrievability(c, exam, SchedulerConfig(exam_date=exam)) for c in cards.values()]
    exam_json = data["exam"]
    assert exam_json["date"] == "2026-12-20" and exam_json["days_left"] == 27 and exam_json["passed"] is False
    assert exam_json["new_item_prior"] == NEW_ITEM_PRIOR
    assert exam_json["predicted_recall"] == pytest.approx((sum(on_exam_day) + 8 * NEW_ITEM_PRIOR) / 12)
    assert exam_json["predicted_score"] == int(100 + 900 * exam_json["predicted_share_correct"] + 0.5)
    assert exam_json["pass_score"] == 720
    plan = exam_json["plan"]
    assert len(plan["days"]) == 27 and plan["days"][0]["date"] == "2026-11-23"
    assert plan["all_seen"] is True and plan["enough"] is True  # 8 unseen items, 20 new a day


def test_configured_exam_date_is_used_and_none_ignores_it(cli, mini, logged):
    assert cli("config", "set", "exam-date", "2026-12-01").exit_code == 0
    assert stats_json(cli, "--bank", mini)["exam"]["days_left"] == 8
    assert stats_json(cli, "--bank", mini, "--exam-date", "none")["exam"] is None
    assert stats_json(cli, "--bank", mini, "--exam-date", "2026-11-01")["exam"] == {"date": "2026-11-01", "passed": True}


def test_text_report(cli, mini, logged):
    result = cli("stats", "--bank", mini, "--exam-date", "2026-12-20", "--plan")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Mini test bank: progress on 2026-11-23" in out
    assert re.search(r"Reviews\s+3\s+7", out) and re.search(r"Accuracy\s+50%\s+33%", out)
    assert "Streak: 3 days" in out
    assert "picked Task role when it was Task execution role: 2×" in out
    assert "Exam on 2026-12-20 (in 27 days)" in out and "items never seen count as 0.25" in out
    assert "Predicted mock-exam score:" in out and "(pass 720)" in out
    assert "2026-12-19" in out  # --plan lists every day up to the eve of the exam


def test_charts_fall_back_to_plain_text(cli, mini, logged, monkeypatch):
    plain = cli("stats", "--bank", mini).output  # NO_COLOR (conftest)
    assert not BLOCKS.search(plain) and "\x1b" not in plain
    assert re.search(r"2026-11-16\s+0\s+0\s+0\s+1\s+0\s+1\s+2\s+4", plain)  # the heatmap as a table of weeks
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    fancy = cli("stats", "--bank", mini).output
    assert BLOCKS.search(ANSI.sub("", fancy)) and "\x1b[" in fancy
    monkeypatch.setenv("COLUMNS", "50")
    assert not BLOCKS.search(ANSI.sub("", cli("stats", "--bank", mini).output))
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")
    assert not BLOCKS.search(ANSI.sub("", cli("stats", "--bank", mini).output))


def test_stats_with_no_history(cli, mini):
    data = stats_json(cli, "--bank", mini)
    assert data["overall"]["reviews"] == 0 and data["streak"] == {"days": 0} and data["confusions"] == []
    assert "No reviews since 2026-08-10" in cli("stats", "--bank", mini).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stats", "--exam-date", "next week"], "Error: exam-date: 'next week' is not valid"),
        (["stats", "--plan"], "Error: --plan needs an exam date"),
        (["stats", "--top", "0"], "Error: --top: 0 is out of range"),
        (["study", "--exam-date", "2026-13-01"], "Error: exam-date: '2026-13-01' is not valid"),
        (["missed", "--confusions", "--top", "0"], "Error: --top: 0 is out of range"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, mini, args, message):
    result = cli(*args, "--bank", mini)
    assert result.exit_code == 2
    assert message in result.output


def test_study_accepts_an_exam_date_for_one_run(cli, mini, home):
    result = cli("study", "--bank", mini, "--new", "2", "--exam-date", "2026-11-25", input="a\nq\n")
    assert result.exit_code == 0, result.output
    assert "0 due, 2 new." in result.output


def test_missed_confusions_drills_exactly_the_confused_items(cli, mini, logged):
    two = cli("missed", "--bank", mini, "--confusions", "--top", "2", input="q\n")
    assert "2 item(s) behind your top 2 confusion(s)" in two.output
    assert "Which role pulls a private ECR image" in two.output.split("Question 2")[0]  # the top confusion's item first
    result = cli("missed", "--bank", mini, "--confusions", "--top", "1", "--seed", "0", input="a\nb\nc\nd\n")
    assert result.exit_code == 0, result.output
    assert "1 item(s) behind your top 1 confusion(s)" in result.output
    store = open_store(logged)
    try:
        drill = [r for r in store.reviews() if r.kind == "missed"]
    finally:
        store.close()
    assert {r.item_id for r in drill} == {"roles-pull"} and drill[-1].correct is True


def test_missed_confusions_without_wrong_picks(cli, mini):
    result = cli("missed", "--bank", mini, "--confusions")
    assert result.exit_code == 0 and "No confusions yet" in result.output


@pytest.mark.slow
def test_charts_in_a_real_terminal(mini, logged):
    import os
    import sys

    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | {"TERM": "xterm-256color", "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, ["-m", "certdrill", "stats", "--bank", str(mini)], env=env, encoding="utf-8", timeout=20, dimensions=(60, 100))
    child.expect(pexpect.EOF)
    screen = ANSI.sub("", child.before)
    assert BLOCKS.search(screen) and "less ░▒▓█ more" in screen
    assert "\x1b[" in child.before  # colour, since NO_COLOR is not set


def random_log(items, seed=5, reviews=200):
    """Months of answers to the mini bank's items, and to items of another bank stats must leave out."""
    import random
    from datetime import timedelta

    from certdrill.schedule.review_log import Review
    from certdrill.schedule.scheduler import AGAIN, GOOD, HARD
    from handlog import at

    rng = random.Random(seed)
    ids = [i.id for i in items] + ["other-bank-1", "other-bank-2"]
    log = []
    for n in range(reviews):
        item = rng.choice(ids)
        when = at(23, 8) - timedelta(days=rng.randint(0, 500), minutes=rng.randint(0, 600))
        right = rng.random() < 0.85
        flashcard = item.endswith("-card")
        answer = None if flashcard else tuple(sorted(rng.sample(range(3), rng.choice((1, 2)))))
        rating = rng.choice((GOOD, HARD)) if right else AGAIN
        log.append(Review(f"{n:05d}", item, "mini", when, rating, answer, None if flashcard else right, rng.randint(1000, 9000)))
    return log


@pytest.mark.parametrize(("topic", "tz"), [(None, "UTC"), ("ecr", "UTC"), ("roles", "UTC"), (None, "Asia/Kathmandu"), (None, "America/St_Johns")])
def test_figures_counted_by_the_store_equal_those_from_every_review(cli, mini, home, monkeypatch, topic, tz):
    import time

    from certdrill import clock
    from certdrill.bank.open import load_bank
    from certdrill.insight import stats as figures
    from certdrill.insight.confusions import confusions

    bank = load_bank(mini)
    items = [i for i in bank.items if i.status == "active" and (topic is None or i.topic == topic)]
    log = random_log(bank.items)
    store = open_store(home)
    try:
        store.merge_reviews(log)
    finally:
        store.close()
    monkeypatch.setenv("TZ", tz)  # days are local days, and these are not whole hours from UTC
    time.tzset()
    data = stats_json(cli, "--bank", mini, *(["--topic", topic] if topic else []))
    today = clock.local_day(clock.now())
    ids = {i.id for i in items}
    mine = [r for r in log if r.item_id in ids]
    assert data["overall"] == figures.totals(mine).to_json()
    assert data["retention"] == figures.true_retention(mine).to_json()
    assert data["retention"]["mature_recalls"] > 0
    counts = figures.daily_counts(mine)
    assert {d: n for d, n in data["heatmap"]["counts"].items() if n} == {d.isoformat(): n for d, n in figures.heatmap(counts, today).counts.items()}
    assert data["streak"]["days"] == figures.streak(counts, today)
    assert data["confusions"] == [c.to_json() for c in confusions(items, mine)[:10]]


def test_counts_a_store_kept_before_they_existed_are_worked_out_then_filled_in_once(cli, mini, home):
    from certdrill.bank.open import load_bank
    from certdrill.insight import stats as figures

    log = random_log(load_bank(mini).items)
    store = open_store(home)
    try:
        store.merge_reviews(log)
        expected = store.mature_counts()
        with store.transaction() as conn:  # what the schema-3 migration leaves: counts unknown
            conn.execute("UPDATE cards SET mature_recalls = NULL, mature_right = NULL")
    finally:
        store.close()

    def stored():
        store = open_store(home)
        try:
            return {k: tuple(v) for k, *v in store.conn.execute("SELECT item_id, mature_recalls, mature_right FROM cards")}
        finally:
            store.close()

    mini_ids = {i.id for i in load_bank(mini).items}
    data = stats_json(cli, "--bank", mini)  # read-only: worked out by replay, not written
    assert data["retention"] == figures.true_retention([r for r in log if r.item_id in mini_ids]).to_json()
    assert set(stored().values()) == {(None, None)}
    assert cli("study", "--bank", mini, input="q\n").exit_code == 0  # the first session fills them in
    assert stored() == expected
