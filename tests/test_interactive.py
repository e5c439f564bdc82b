"""The real thing: certdrill in a pseudo-terminal, typed at like a person would."""

import json
import subprocess
import sys

import pexpect
import pytest

from certdrill.store.store import Store
from support import spawn

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def correct_letter(child, answer_texts):
    """Read the lettered choices on screen and return the letters of the right ones."""
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
    child = spawn(["study", "--bank", mini, "--topic", "ecr", "--new", "3"], home)
    child.expect("Question 1 of 3")
    child.expect(r"(ecr-[a-z]+(?:-[a-z]+)*)")
    first = items[child.match.group(1)]
    letters = correct_letter(child, {first["choices"][i] for i in first["answer"]})
    child.sendline(letters)
    child.expect("Correct.")
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
