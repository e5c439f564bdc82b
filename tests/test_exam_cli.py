"""`certdrill exam` driven through piped stdin: scoring, the review log, history, resume, bad flags."""

import json
import random
import re

import pytest

from certdrill.bank.items import LETTERS
from certdrill.bank.open import load_bank
from certdrill.clock import parse_instant
from certdrill.drill.exam import choice_order, draw_exam
from certdrill.store import exams
from certdrill.store.store import Store
from conftest import FROZEN


def planned(bank_dir, count, seed):
    """The exam `--seed` draws, with each question's letters: right and wrong."""
    bank = load_bank(bank_dir)
    out = []
    for item in draw_exam(bank.items, bank.weights, count, random.Random(seed)):
        order = choice_order(item, seed)
        right = "".join(sorted(LETTERS[order.index(i)] for i in item.answer))
        others = [LETTERS[p] for p in range(len(order)) if LETTERS[p] not in right]
        wrong = others[0] + right[0] if item.type == "multi" else others[0]
        out.append((item, right, wrong))
    return out


def open_store(home):
    return Store.open(home / "progress.sqlite3")


def test_all_right_scores_1000_and_logs_exam_reviews(cli, mini, home):
    plan = planned(mini, 6, 11)
    result = cli("exam", "--bank", mini, "--count", "6", "--seed", "11", input="".join(f"{right}\n" for _, right, _ in plan))
    assert result.exit_code == 0, result.output
    assert "6 questions, 12:00 to answer them" in result.output
    assert "Score 1000 / 1000  ·  PASS" in result.output and "No missed questions." in result.output
    store = open_store(home)
    try:
        logged = store.reviews()
        cards = store.cards()
        (row,) = exams.history(store)
    finally:
        store.close()
    assert [(r.item_id, r.kind, r.correct, r.rating, r.session_id) for r in logged] == [(item.id, "exam", True, 3, f"exam-{row.id}") for item, _, _ in plan]
    assert {item.id for item, _, _ in plan} <= set(cards)
    assert (row.status, row.correct, row.scaled, row.passed, row.count, row.answered) == ("submitted", 6, 1000, True, 6, 6)


def test_per_topic_scores_and_review_of_missed(cli, mini, home):
    plan = planned(mini, 6, 11)
    answers = [wrong if item.topic == "ecr" else right for item, right, wrong in plan]
    result = cli("exam", "--bank", mini, "--count", "6", "--seed", "11", input="\n".join(answers) + "\n")
    ecr = sum(1 for item, _, _ in plan if item.topic == "ecr")
    roles = len(plan) - ecr
    assert (ecr, roles) == (2, 4)  # mini weighs roles 2, ecr 1
    assert f"{roles} of 6 right (67%)" in result.output
    assert "Score 700 / 1000  ·  FAIL" in result.output
    table = {m[0]: list(m[1:]) for m in re.findall(r"^(ECR|Roles) +(\d+) +(\d+) +(\d+)$", result.output, re.M)}
    assert table == {"ECR": [str(ecr), "0", "0"], "Roles": [str(roles), str(roles), "100"]}
    assert f"Review: {ecr} missed" in result.output
    for item, right, wrong in plan:
        if item.topic == "ecr":
            order = choice_order(item, 11)
            assert f"  {wrong[0]}) {item.choices[order[LETTERS.index(wrong[0])]]}" in result.output
            assert f"Wrong. You chose {', '.join(sorted(wrong))}; the answer is {', '.join(right)}:" in result.output
            assert item.explanation in result.output
    per_topic = json.loads(cli("exam", "--history", "--json").output)[0]["per_topic"]
    assert per_topic == {"ecr": {"correct": 0, "total": ecr}, "roles": {"correct": roles, "total": roles}}


def test_end_of_input_submits_and_unanswered_are_not_reviews(cli, mini, home):
    plan = planned(mini, 4, 2)
    result = cli("exam", "--bank", mini, "--count", "4", "--seed", "2", input=f"{plan[0][1]}\n")
    assert result.exit_code == 0
    assert "1 of 4 right (25%); 3 unanswered, counted wrong" in result.output and "Score 325" in result.output
    store = open_store(home)
    try:
        assert [r.item_id for r in store.reviews()] == [plan[0][0].id]
    finally:
        store.close()


def test_count_is_capped_with_a_note_and_flashcards_are_never_asked(cli, mini):
    result = cli("exam", "--bank", mini, "--seed", "1", input="")
    assert "Note: only 9 eligible multiple-choice questions, so the exam has 9 instead of 65." in result.output
    assert "9 questions, 18:00 to answer them" in result.output
    assert "Review: 9 missed" in result.output
    assert "What does an ECR lifecycle policy do?" not in result.output


def test_quit_abandons_unscored_but_keeps_answers_as_reviews(cli, mini, home):
    plan = planned(mini, 3, 5)
    result = cli("exam", "--bank", mini, "--count", "3", "--seed", "5", input=f"{plan[0][1]}\nq\ny\n")
    assert "Abandon this exam? It is not scored; your 1 answer is kept as reviews." in result.output  # issue 12: plurals
    assert "abandoned: not scored; its 1 answer was kept as reviews" in result.output
    assert "Score" not in result.output
    (entry,) = json.loads(cli("exam", "--history", "--json").output)
    assert (entry["status"], entry["scaled"], entry["answered"]) == ("abandoned", None, 1)
    store = open_store(home)
    try:
        assert [(r.item_id, r.kind) for r in store.reviews()] == [(plan[0][0].id, "exam")]
    finally:
        store.close()


def test_history_lists_exams_with_a_trend(cli, mini, monkeypatch):
    plan = planned(mini, 4, 8)
    cli("exam", "--bank", mini, "--count", "4", "--seed", "8", input="")
    monkeypatch.setenv("CERTDRILL_NOW", "2026-11-24T10:00:00+00:00")
    cli("exam", "--bank", mini, "--count", "4", "--seed", "8", input="".join(f"{r}\n" for _, r, _ in plan[:3]) + "s\ny\n")
    shown = cli("exam", "--history")
    assert shown.exit_code == 0
    lines = shown.output.splitlines()
    assert lines[0].split() == ["#", "Date", "Bank", "Questions", "Score", "Result", "Duration"]
    assert lines[1].split() == ["1", "2026-11-23", "09:00", "mini", "4", "100", "FAIL", "0:00"]
    assert lines[2].split() == ["2", "2026-11-24", "10:00", "mini", "4", "775", "PASS", "0:00"]
    assert "Trend (last 2): 100 → 775  (+675)" in shown.output
    entries = json.loads(cli("exam", "--history", "--json").output)
    assert [(e["id"], e["scaled"], e["passed"], e["questions"], e["duration_seconds"]) for e in entries] == [(1, 100, False, 4, 0), (2, 775, True, 4, 0)]
    assert entries[1]["started_at"] == "2026-11-24T10:00:00.000Z"


def test_history_when_empty(cli):
    result = cli("exam", "--history")
    assert result.exit_code == 0 and "No exams yet" in result.output
    assert json.loads(cli("exam", "--history", "--json").output) == []


def start_in_progress(home, mini, count=3, seed=4, minutes=6.0, answer_first=True):
    """An exam as a killed certdrill leaves it: started, maybe one answer saved."""
    plan = planned(mini, count, seed)
    store = open_store(home)
    try:
        exam_id = exams.start(store, bank="mini", started_at=parse_instant(FROZEN), minutes=minutes, seed=seed, item_ids=[i.id for i, _, _ in plan])
        if answer_first:
            item = plan[0][0]
            exams.save_answer(store, exam_id, exams.SavedAnswer(0, item.id, item.answer, parse_instant(FROZEN), True))
    finally:
        store.close()
    return plan


def test_resume_continues_where_the_answers_stop(cli, mini, home, monkeypatch):
    plan = start_in_progress(home, mini)
    monkeypatch.setenv("CERTDRILL_NOW", "2026-11-23T09:02:30+00:00")
    result = cli("exam", "--resume", "--bank", mini, input=f"{plan[1][1]}\n{plan[2][2]}\ns\ny\n")
    assert result.exit_code == 0, result.output
    assert "Question 2 of 3  ·  3:30 left" in result.output
    assert "\n1 flagged. Submit anyway?" in result.output
    assert "2 of 3 right" in result.output


def test_starting_a_new_exam_offers_the_one_in_progress(cli, mini, home):
    start_in_progress(home, mini)
    result = cli("exam", "--bank", mini, "--count", "2", input="n\n")
    assert "Exam 1, started 2026-11-23 09:00, is still in progress (1 of 3 answered, 6:00 left). Resume it?" in result.output
    assert "Exam 1 abandoned: not scored; its 1 answer was kept as reviews." in result.output  # issue 12: plurals
    assert "Mock exam 2 on Mini test bank: 2 questions" in result.output
    statuses = [(e["id"], e["status"]) for e in json.loads(cli("exam", "--history", "--json").output)]
    assert statuses == [(1, "abandoned"), (2, "submitted")]


def test_resume_offer_accepted(cli, mini, home):
    start_in_progress(home, mini)
    result = cli("exam", "--bank", mini, input="y\n")
    assert "Mock exam 2" not in result.output
    assert "Question 2 of 3" in result.output
    assert [e["status"] for e in json.loads(cli("exam", "--history", "--json").output)] == ["submitted"]


def test_resumed_after_the_deadline_is_submitted_at_the_deadline(cli, mini, home, monkeypatch):
    start_in_progress(home, mini)
    monkeypatch.setenv("CERTDRILL_NOW", "2026-11-23T11:00:00+00:00")
    result = cli("exam", "--resume", "--bank", mini)
    assert result.exit_code == 0
    assert "Time is up: the exam is submitted as it stands; unanswered questions count as wrong." in result.output
    assert "Score 400 / 1000" in result.output
    (entry,) = json.loads(cli("exam", "--history", "--json").output)
    assert (entry["status"], entry["finished_at"], entry["duration_seconds"]) == ("submitted", "2026-11-23T09:06:00.000Z", 360)


def test_resume_of_questions_no_longer_in_the_bank(cli, mini, home, tmp_path):
    plan = start_in_progress(home, mini, count=2, answer_first=False)
    gone = plan[0][0]
    edited = tmp_path / "mini"
    edited.mkdir()
    for f in mini.iterdir():
        text = f.read_text()
        edited.joinpath(f.name).write_text(text.replace(f"id: {gone.id}\n", f"id: {gone.id}-renamed\n"))
    result = cli("exam", "--resume", "--bank", edited, input="")
    assert "Note: 1 questions of exam 1 are no longer in the bank and are left out." in result.output
    assert "0 of 1 right" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--topic", "nope"], "--topic: unknown topic 'nope'"),
        (["--count", "0"], "--count: 0 is out of range"),
        (["--minutes", "0"], "--minutes: 0 is out of range"),
        (["--seed", "-1"], "--seed: -1 is out of range"),
        (["--json"], "--json goes with --history"),
        (["--resume", "--count", "5"], "--resume continues the exam as it was drawn"),
        (["--resume"], "--resume: no exam in progress on mini"),
        (["--count", "ten"], "Invalid value for '--count'"),
    ],
)
def test_bad_flags_exit_2(cli, mini, home, args, message):
    result = cli("exam", "--bank", mini, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (home / "progress.sqlite3").exists() or json.loads(cli("exam", "--history", "--json").output) == []


def test_bank_without_multiple_choice_items(cli, tmp_path):
    bank = tmp_path / "cards"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        "topic: t\ntitle: T\nitems:\n  - id: c\n    type: flashcard\n    prompt: p\n    back: b\n    explanation: e\n    sources: [{note: n}]\n"
    )
    result = cli("exam", "--bank", bank)
    assert result.exit_code == 2 and "an exam asks only multiple-choice items" in result.output


def test_minutes_override_and_countdown_in_the_header(cli, mini):
    result = cli("exam", "--bank", mini, "--count", "2", "--minutes", "45", "--seed", "1", input="\n")
    assert "Question 1 of 2  ·  45:00 left" in result.output
    assert "Question 2 of 2  ·  45:00 left" in result.output
