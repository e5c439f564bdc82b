"""After an answer: the rationale of each wrong choice picked, then the explanation, then "Learn more"
with the item's references (a hyperlink on a terminal, a plain URL otherwise); never the note files."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console
from rich.style import Style

from certdrill.bank.items import Item
from certdrill.ui import learn, render
from support import certdrill_argv, env_for, plain
from test_exam_cli import planned

DOCS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html"

ITEMS = f"""\
topic: t
title: T
items:
  - id: t-pull
    type: single
    prompt: Which role pulls the image?
    choices:
      - text: The task role
        why: "The application uses the task role at run time. \\e]0;owned\\a"
      - The task execution role
      - text: The instance profile
        why: Fargate tasks have no instance profile.
    answer: b
    explanation: The ECS agent pulls the image with the task execution role.
    references:
      - {DOCS}
    sources:
      - note: 004_2a3a88d39c5f83df.txt
        quote: image-pull failures point to the task execution role
"""

MULTI = """\
  - id: t-two
    type: multi
    prompt: Which TWO can a task definition name? (Choose two.)
    choices:
      - Task role
      - Task execution role
      - text: Instance profile
        why: The instance profile belongs to the EC2 host, not the task.
      - text: Root user
        why: No AWS resource names the root user.
    answer: [a, b]
    explanation: A task definition names a task role and a task execution role.
    sources:
      - note: 003_2b42c690e2697c98.txt
"""

CARD = f"""\
  - id: t-card
    type: flashcard
    prompt: What is the task execution role for?
    back: Pulling images, sending logs and fetching secrets for the agent.
    explanation: The task role is for the application.
    references: [{DOCS}]
    sources: [{{note: 004_2a3a88d39c5f83df.txt}}]
"""


@pytest.fixture(autouse=True)
def _controls(controls_allowed):
    """ITEMS carries an escape sequence (which no longer loads): these tests show it stays inert anyway."""


def bank(tmp_path: Path, text: str = ITEMS) -> Path:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "t.yaml").write_text(text, encoding="utf-8")
    return folder


def letter_of(screen: str, choice: str) -> str:
    """The letter a choice had on screen."""
    return re.search(rf"^  ([a-h])\) {re.escape(choice)} *$", screen, re.M).group(1)


def shown(cli, folder: Path, *args: str) -> str:
    """The question as `study --seed 3` shows it (quitting before answering saves nothing)."""
    return cli("study", "--bank", folder, "--seed", "3", *args, input="q\n").output


def after_answer(output: str) -> str:
    return output.split("Your answer (q: stop) > ", 1)[1]


def test_a_wrong_pick_shows_its_rationale_then_the_explanation_then_learn_more(cli, tmp_path):
    folder = bank(tmp_path)
    picked = letter_of(shown(cli, folder), "The task role")
    result = cli("study", "--bank", folder, "--seed", "3", input=f"{picked}\nq\n")
    assert result.exit_code == 0, result.output
    out = after_answer(result.output)
    why = out.index(f"Why not:\n  {picked}) The task role — The application uses the task role at run time. ]0;owned")
    explained = out.index("The ECS agent pulls the image with the task execution role.")
    more = out.index(f"Learn more:\n  {DOCS}\n")
    assert why < explained < more
    assert "Fargate tasks have no instance profile" not in out  # not picked
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_note_files_are_not_shown_to_learners(cli, tmp_path):
    folder = bank(tmp_path)
    right = letter_of(shown(cli, folder), "The task execution role")
    result = cli("study", "--bank", folder, "--seed", "3", input=f"{right}\nq\n")
    out = after_answer(result.output)
    assert out.split("\n", 1)[1].startswith("Correct.")
    assert "004_2a3a88d39c5f83df" not in result.output and "Source" not in result.output
    assert "Why not" not in out and f"Learn more:\n  {DOCS}" in out


def test_a_multi_answer_shows_the_rationale_of_each_wrong_pick(cli, tmp_path):
    folder = bank(tmp_path, ITEMS + MULTI)
    screen = shown(cli, folder, "--item", "t-two")
    picks = "".join(sorted(letter_of(screen, c) for c in ("Task role", "Instance profile", "Root user")))
    result = cli("study", "--bank", folder, "--seed", "3", "--item", "t-two", input=f"{picks}\nq\n")
    out = after_answer(result.output)
    assert "Why not:" in out
    assert f"  {letter_of(screen, 'Instance profile')}) Instance profile — The instance profile belongs to the EC2 host, not the task." in out
    assert f"  {letter_of(screen, 'Root user')}) Root user — No AWS resource names the root user." in out
    assert "Learn more" not in out  # no references


def test_a_flashcard_shows_learn_more_after_its_back(cli, tmp_path):
    folder = bank(tmp_path, ITEMS + CARD)
    result = cli("study", "--bank", folder, "--item", "t-card", input="\n3\n")
    assert result.exit_code == 0, result.output
    assert result.output.index("Pulling images") < result.output.index(f"Learn more:\n  {DOCS}")


def test_missed_shows_the_rationale_and_learn_more(cli, tmp_path):
    folder = bank(tmp_path)
    picked = letter_of(shown(cli, folder), "The instance profile")
    cli("study", "--bank", folder, "--seed", "3", input=f"{picked}\nq\n")
    screen = cli("missed", "--bank", folder, "--seed", "4", input="q\n").output
    again = letter_of(screen, "The instance profile")
    result = cli("missed", "--bank", folder, "--seed", "4", input=f"{again}\nq\n")
    out = after_answer(result.output)
    assert f"  {again}) The instance profile — Fargate tasks have no instance profile." in out
    assert f"Learn more:\n  {DOCS}" in out


def test_the_exam_review_shows_every_wrong_choice_rationale(cli, tmp_path):
    folder = bank(tmp_path)
    ((_, _, wrong),) = planned(folder, 1, 5)
    result = cli("exam", "--bank", folder, "--count", "1", "--seed", "5", input=f"{wrong}\n")
    assert result.exit_code == 0, result.output
    review = result.output.split("Review: 1 missed", 1)[1]
    assert "The application uses the task role at run time." in review
    assert "Fargate tasks have no instance profile." in review
    assert review.index("Why not:") < review.index("The ECS agent pulls") < review.index(f"Learn more:\n  {DOCS}")
    assert "004_2a3a88d39c5f83df" not in result.output


# the renderables


def link_item(url: str) -> Item:
    return Item("x", "truefalse", "t", "Is it?", ("True", "False"), (0,), "Because.", references=(url,))


def render_to(console: Console, item: Item) -> str:
    console.print(render.feedback(item, (0, 1), (0,), True))
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_references_are_hyperlinks_on_a_colour_terminal_and_plain_elsewhere(monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    terminal = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=200)
    linked = render_to(terminal, link_item(DOCS))
    assert "\x1b]8;id=" in linked and f";{DOCS}\x1b\\" in linked
    piped = render_to(Console(file=io.StringIO(), width=200), link_item(DOCS))
    assert "\x1b" not in piped and f"  {DOCS}\n" in piped
    monkeypatch.setenv("NO_COLOR", "1")
    no_colour = render_to(Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=200), link_item(DOCS))
    assert "\x1b]8" not in no_colour and DOCS in no_colour


def test_a_reference_cannot_smuggle_escape_sequences_into_the_link(monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    evil = "https://docs.aws.amazon.com/x\x1b\\\x1b]0;owned\x07"
    out = render_to(Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=200), link_item(evil))
    assert "\x07" not in out and "\x1b]0" not in out
    assert "https://docs.aws.amazon.com/x\\]0;owned" in out


def test_a_link_is_only_made_of_a_web_address():
    lines = list(learn.LearnMore(["javascript:alert(1)", DOCS]).lines(links=True))
    assert [line.plain for line in lines] == ["Learn more:", "  javascript:alert(1)", f"  {DOCS}"]
    assert not any(isinstance(span.style, Style) and span.style.link for span in lines[1].spans)
    assert any(isinstance(span.style, Style) and span.style.link == DOCS for span in lines[2].spans)


# in a real terminal


def pty_feedback(folder: Path, home: Path, *, colour: bool) -> str:
    import sys

    import pexpect

    env = env_for(home)
    if colour:
        env["NO_COLOR"] = ""  # Rich reads an empty NO_COLOR as unset
    argv = certdrill_argv(["study", "--bank", folder, "--seed", "3"], allow_controls=True)  # ITEMS carries an escape sequence
    child = pexpect.spawn(sys.executable, argv, env=env, encoding="utf-8", timeout=20, dimensions=(40, 200))
    try:
        child.expect(r"Your answer \(q: stop\) > ")
        child.sendline(letter_of(plain(child.before).replace("\r\n", "\n"), "The task role"))
        child.expect("Enter: next")
        return child.before
    finally:
        child.close(force=True)


def test_a_terminal_without_colour_shows_the_plain_url(tmp_path, home):
    screen = pty_feedback(bank(tmp_path), home, colour=False)
    assert "Why not:" in plain(screen) and f"Learn more:\r\n  {DOCS}" in plain(screen)
    assert "\x1b]8" not in screen


def test_a_colour_terminal_gets_a_hyperlink(tmp_path, home):
    screen = pty_feedback(bank(tmp_path), home, colour=True)
    assert "\x1b]8;id=" in screen and f";{DOCS}\x1b\\{DOCS}\x1b]8;;\x1b\\" in screen, repr(screen[-600:])
    assert "\x1b]0;owned" not in screen  # the rationale's escape sequence stays inert
