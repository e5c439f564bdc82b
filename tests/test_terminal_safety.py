"""Bank text is data: escape sequences, control characters and Rich markup never reach the terminal live."""

import json
import re

import pytest

from support import plain, spawn

# Clear the screen, set the window title (OSC), an 8-bit CSI, a bidi override, a bell, a backspace.
EVIL = "\\e[2J\\e]0;owned\\a\\x9b31m\\u202e\\b"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x08")
MARKUP = "[bold red]loud[/] [link=https://evil.example]click[/link]"


def evil_bank(tmp_path):
    bank = tmp_path / "evil"
    bank.mkdir()
    (bank / "bank.yaml").write_text(f'name: evil\ntitle: "Title {EVIL} {MARKUP}"\ndescription: "d {EVIL}"\n')
    (bank / "t.yaml").write_text(
        f'topic: t\ntitle: "Topic {EVIL}"\nitems:\n'
        f'  - id: x\n    type: single\n    prompt: "Pick {EVIL} {MARKUP}"\n'
        f'    choices: ["right {EVIL}", {{text: "{MARKUP}", why: "why {EVIL} {MARKUP}"}}]\n    answer: a\n    explanation: "Because {EVIL} {MARKUP}"\n'
        f'    references: ["https://docs.aws.amazon.com/{EVIL}"]\n'
        f'    sources: [{{note: "n {EVIL}", quote: "q {EVIL}"}}]\n'
        f'  - id: y\n    type: flashcard\n    prompt: "Front {EVIL}"\n    back: "Back {EVIL} {MARKUP}"\n    explanation: e\n    sources: [{{note: n}}]\n'
    )
    return bank


def assert_inert(text: str) -> None:
    for char in RAW:
        assert char not in text, f"{char!r} reached the terminal"


def test_study_shows_every_field_inert(cli, tmp_path, controls_allowed):
    bank = evil_bank(tmp_path)
    result = cli("study", "--bank", bank, "--seed", "1", input="a\nb\n\n3\n")  # wrong first (a is the markup choice): the feedback shows everything
    assert result.exit_code == 0, result.output
    assert_inert(result.output)
    for shown in ("Pick", "Because", "right", "Back", "Title", "Topic", "why [2J]0;owned31m", "https://docs.aws.amazon.com/[2J]0;owned31m"):
        assert shown in result.output, shown
    assert "q [2J]0;owned31m" not in result.output  # sources are the authors' provenance, not shown to learners (bank list --json keeps them)
    assert result.output.count("[bold red]loud[/]") >= 4 and "[link=https://evil.example]click[/link]" in result.output


@pytest.mark.slow
def test_a_real_terminal_gets_no_escape_from_the_bank(tmp_path, home):
    child = spawn(["study", "--bank", evil_bank(tmp_path), "--seed", "1"], home, allow_controls=True)
    child.expect(r"Your answer \(q: stop\) > ")
    child.sendline("b")
    child.expect("Enter: next")
    screen = child.before
    child.sendline("q")
    child.close(force=True)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", screen)  # Rich's own bold/dim, not the bank's
    assert_inert(shown)
    assert "Because [2J]0;owned31m" in plain(shown)


def test_bank_list_and_json_are_inert(cli, tmp_path, controls_allowed):
    bank = evil_bank(tmp_path)
    table = cli("bank", "list", "--bank", bank)
    assert table.exit_code == 0 and "Title [2J]0;owned31m [bold red]loud[/]" in table.output
    assert_inert(table.output)
    listing = cli("bank", "list", "--bank", bank, "--json")
    assert_inert(listing.output)
    assert json.loads(listing.output)[0]["prompt"].startswith("Pick \x1b[2J")  # the data itself is intact
    assert json.loads(listing.output)[0]["sources"][0]["quote"].startswith("q \x1b[2J")


def test_lint_flags_control_characters_and_markup(cli, tmp_path, controls_allowed):
    result = cli("bank", "lint", evil_bank(tmp_path))
    assert result.exit_code == 1
    assert_inert(result.output)
    for field in (
        "title",
        "description",
        "topic t: title",
        "x: prompt",
        "x: choices[0]",
        "x: explanation",
        "x: sources[0].note",
        "x: sources[0].quote",
        "x: choices[1].why",
        "x: references[0]",
        "y: back",
    ):
        assert f"{field}: contains control characters" in result.output, field
    assert "x: choices[1]: looks like Rich markup" in result.output
    assert "warning" in result.output


@pytest.mark.parametrize("name", ["bad\x1b]0;owned\x07name", "bad\x9bname"])
def test_error_messages_show_escapes_visibly(cli, tmp_path, name):
    result = cli("study", "--bank", tmp_path / name)
    assert result.exit_code == 2
    assert_inert(result.output)
    assert "\\x1b" in result.output or "\\x9b" in result.output
