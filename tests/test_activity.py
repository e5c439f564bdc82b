"""The live line shown during a long import: counted rows, inert file names, silent when piped."""

import io

from rich.console import Console

from certdrill.ui.activity import STEP, activity


def test_rows_pass_through_unchanged_and_are_counted_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    rows = list(range(STEP * 2 + 5))
    with activity(console, "Importing [bold]x\x1b]0;owned\x07.json") as shown:
        assert list(shown.counted(rows)) == rows
    drawn = out.getvalue()
    assert "Importing [bold]x]0;owned.json 20,005 reviews" in drawn  # markup and escapes in a file name stay inert
    assert "\x1b]0;owned" not in drawn


def test_the_line_says_what_is_being_done_now():
    out = io.StringIO()
    with activity(Console(file=out, force_terminal=True, width=100), "Importing x.json") as shown:
        list(shown.counted(range(STEP)))
        shown.now("Replaying every card")
    assert "Replaying every card 10,000 reviews" in out.getvalue()


def test_nothing_is_drawn_when_stderr_is_not_a_terminal():
    out = io.StringIO()
    with activity(Console(file=out, force_terminal=False), "Importing x.json") as shown:
        assert list(shown.counted(iter([1, 2, 3]))) == [1, 2, 3]
        shown.now("Replaying every card")
    assert out.getvalue() == ""
