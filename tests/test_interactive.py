"""The real thing: certdrill in a pseudo-terminal, typed at like a person would."""

import json
import subprocess
import sys

import pexpect
import pytest

from certdrill.store.store import Store
from support import plain, spawn

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")]


def correct_letter(child, answer_texts, screen=None):
    """Read the lettered choices on screen and return the letters of the right ones."""
    if screen is None:
        child.expect(r"Your answer \(q: stop\) > ")
        screen = child.before
    letters = []
    import re

    for line in screen.splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line).strip()
        if len(line) > 3 and line[1] == ")" and line[3:] in answer_texts:
            letters.append(line[0])
    return "".join(letters)


def test_interactive_session_with_override_and_quit(mini, home):
    listing = subprocess.run([sys.executable, "-m", "certdrill", "bank", "list", "--json", "--bank", str(mini)], capture_output=True, text=True, check=True)
    items = {i["id"]: i for i in json.loads(listing.stdout)}
    child = spawn(["study", "--bank", mini, "--topic", "ecr", "--new", "3", "--new-order", "file"], home)
    child.expect("Question 1 of 3")
    child.expect(r"Your answer \(q: stop\) > ")
    screen = plain(child.before)
    (first,) = [i for i in items.values() if i["prompt"] in screen]  # known by its prompt: no id before the answer
    assert first["id"] not in screen
    letters = correct_letter(child, {first["choices"][i] for i in first["answer"]}, screen)
    child.sendline(letters)
    child.expect("Correct.")
    child.expect(f"Item {first['id']}")
    child.expect("h: was hard · e: was easy")
    child.sendline("e")
    child.expect("Question 2 of 3")
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("zz")
    child.expect("not a choice")
    child.sendline("q")
    child.expect("Session summary")
    child.expect("Answered 1, 1 of 1 right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    store = Store.open(home / "progress.sqlite3")
    try:
        (review,) = store.reviews()
    finally:
        store.close()
    assert review.item_id == first["id"] and review.rating == 4 and review.correct is True


def test_each_answer_is_committed_before_the_next_question(mini, home):
    child = spawn(["study", "--bank", mini, "--new", "5"], home)
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("a")
    child.expect(r"Enter: next")
    store = Store.open(home / "progress.sqlite3")
    try:
        assert store.review_count() == 1  # committed while feedback is on screen
    finally:
        store.close()
    child.close(force=True)


def exam_plan(mini, count, seed):
    """The questions `certdrill exam --seed` draws and the letters of their right answers."""
    import random

    from certdrill.bank.items import LETTERS
    from certdrill.bank.open import load_bank
    from certdrill.drill.exam import choice_order, draw_exam

    bank = load_bank(mini)
    drawn = draw_exam(bank.items, bank.weights, count, random.Random(seed))
    return [(item, "".join(sorted(LETTERS[choice_order(item, seed).index(i)] for i in item.answer))) for item in drawn]


EXAM_PROMPT = r"Answer or key > "


def test_exam_flag_back_and_submit_in_a_terminal(mini, home):
    plan = exam_plan(mini, 4, 7)
    child = spawn(["exam", "--bank", mini, "--count", "4", "--seed", "7"], home)
    child.expect("Question 1 of 4  ·  8:00 left")
    child.expect(EXAM_PROMPT)
    child.sendline(plan[0][1])
    child.expect("Question 2 of 4  ·  8:00 left")
    child.expect(EXAM_PROMPT)
    child.sendline("!")
    child.expect("Question 2 flagged for review.")
    child.sendline("p")
    child.expect("Question 1 of 4")
    child.expect(f"Your answer: {plan[0][1]}")
    child.expect(EXAM_PROMPT)
    child.sendline("g 2")
    child.expect(r"Question 2 of 4  ·  8:00 left\S*  ·  flagged")
    child.expect(EXAM_PROMPT)
    child.sendline("l")
    child.expect(rf"1 {plan[0][1]} +2 - +F +3 - +4 -")
    child.expect("1 of 4 answered · 1 flagged · 8:00 left")
    child.sendline("s")
    child.expect("3 unanswered and 1 flagged. Submit anyway?")
    child.sendline("n")
    child.expect("Not submitted.")
    child.sendline("s")
    child.expect("Submit anyway?")
    child.sendline("y")
    child.expect(r"Score 325 / 1000  ·  \S*FAIL")
    child.expect("Review: 3 missed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    store = Store.open(home / "progress.sqlite3")
    try:
        flags = store.conn.execute("SELECT position, flagged FROM exam_answers ORDER BY position").fetchall()
        (review,) = store.reviews()
    finally:
        store.close()
    assert flags == [(0, 0), (1, 1), (2, 0), (3, 0)]
    assert (review.item_id, review.kind, review.correct) == (plan[0][0].id, "exam", True)


def test_killed_exam_resumed_after_its_deadline_is_submitted(mini, home, cli, monkeypatch):
    plan = exam_plan(mini, 3, 5)
    child = spawn(["exam", "--bank", mini, "--count", "3", "--seed", "5"], home)
    child.expect(EXAM_PROMPT)
    child.sendline(plan[0][1])
    child.expect("Question 2 of 3")  # the answer is saved before the next question is drawn
    child.close(force=True)
    assert child.signalstatus is not None
    monkeypatch.setenv("CERTDRILL_NOW", "2026-11-23T11:00:00+00:00")
    result = cli("exam", "--resume", "--bank", mini)
    assert result.exit_code == 0, result.output
    assert "Time is up" in result.output and "Score 400 / 1000" in result.output
    store = Store.open(home / "progress.sqlite3")
    try:
        (review,) = store.reviews()
        status = store.conn.execute("SELECT status FROM exams").fetchone()[0]
    finally:
        store.close()
    assert (review.item_id, review.kind, status) == (plan[0][0].id, "exam", "submitted")


def test_ctrl_c_leaves_the_exam_to_resume(mini, home):
    child = spawn(["exam", "--bank", mini, "--count", "3", "--seed", "5"], home)
    child.expect(EXAM_PROMPT)
    child.sendline("!")
    child.expect("flagged for review")
    child.sendintr()
    child.expect("left in progress: certdrill exam --resume continues it")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    child = spawn(["exam", "--resume", "--bank", mini], home)
    child.expect(r"Question 1 of 3  ·  6:00 left\S*  ·  flagged")
    child.close(force=True)
