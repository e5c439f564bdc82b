"""Kill -9 in the middle of a session: at most the question on screen is lost, the file stays sound."""

import re
import signal
import sys

import pexpect
import pytest

from support import cards_match_the_log, integrity, plain, spawn, stored_reviews, truefalse_bank

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal and SIGKILL")]

ANSWER = r"Your answer \(q: stop\) > "
NEXT = r"Enter: next[^>]*> "
ITEM = re.compile(r"Item (tf-\d{3})")  # shown after the answer, never before it


def answer_some(child, count: int, *, wrong_every: int = 3) -> list[tuple[str, bool]]:
    """Answer `count` questions, waiting each time until the feedback is on screen."""
    graded = []
    for n in range(count):
        child.expect(ANSWER)
        right = n % wrong_every != wrong_every - 1
        child.sendline("t" if right else "f")
        child.expect("Correct." if right else "Wrong.")
        child.expect(NEXT)
        item_id = ITEM.findall(plain(child.before))[-1]
        graded.append((item_id, right))
        if n < count - 1:
            child.sendline("")
    return graded


def kill(child) -> None:
    child.kill(signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL


def assert_store_holds(home, graded, *, maybe_one_more: bool = False) -> None:
    db = home / "progress.sqlite3"
    assert integrity(db) == "ok"
    logged = sorted((r.item_id, r.correct) for r in stored_reviews(home))  # the frozen clock gives every answer one time
    if maybe_one_more and len(logged) == len(graded) + 1:
        assert any(sorted([*graded, extra]) == logged for extra in logged)
        return
    assert logged == sorted(graded)
    assert cards_match_the_log(home)


@pytest.fixture
def bank(tmp_path):
    return truefalse_bank(tmp_path / "tf", 12)


@pytest.mark.parametrize("answers", [1, 4])
def test_kill_while_feedback_is_on_screen(bank, home, answers):
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    graded = answer_some(child, answers)
    kill(child)
    assert_store_holds(home, graded)


def test_kill_while_the_next_question_waits(bank, home):
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    graded = answer_some(child, 3)
    child.sendline("")
    child.expect(ANSWER)
    kill(child)
    assert_store_holds(home, graded)


def test_kill_right_after_typing_an_answer(bank, home):
    """The answer being typed may or may not make it; everything before it must."""
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    graded = answer_some(child, 2)
    child.sendline("")
    child.expect(ANSWER)
    child.sendline("t")
    kill(child)
    assert_store_holds(home, graded, maybe_one_more=True)


def test_kill_after_an_easy_override_keeps_the_answer(bank, home):
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    graded = answer_some(child, 1)
    child.sendline("e")
    child.expect(ANSWER)
    kill(child)
    assert_store_holds(home, graded)
    assert stored_reviews(home)[0].rating == 4


def test_a_new_session_after_a_kill_carries_on(bank, home):
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    first = answer_some(child, 3)
    kill(child)
    child = spawn(["study", "--bank", bank, "--new", "12"], home)
    child.expect(r"\d+ due, 9 new")
    second = answer_some(child, 2)
    kill(child)
    assert_store_holds(home, first + second)
