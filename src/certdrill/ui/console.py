"""Consoles with stable, script-friendly defaults (NO_COLOR is honoured by Rich itself)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment

from certdrill.text import has_controls, strip_controls


class InertConsole(Console):
    """A console whose text cannot drive the terminal: the one place every Rich output passes.

    Rich passes ESC, C1 and bidi controls through (it strips only BEL, BS, VT, FF and CR), so text
    segments lose their control characters here, just before they become output; Rich's own
    escape sequences (styles, links, cursor moves) come from styles and control segments and stay.
    """

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(map(_inert, buffer))


def _inert(segment: Segment) -> Segment:
    """A text segment without control characters, in its text or in its link's address."""
    text, style, control = segment
    if control:
        return segment
    if style is not None and style.link and has_controls(style.link):
        style = style.update_link(strip_controls(style.link))
    return Segment(strip_controls(text), style)


def after_interrupt(console: Console) -> None:
    """Let a console show what follows a Ctrl-C that landed inside Rich's own bookkeeping.

    A KeyboardInterrupt between Rich entering its buffer (`Console.__enter__`) and the `with`
    block that leaves it leaves the console holding back every later print, so the line saying
    how to resume (or the session's summary) would never reach the terminal. Rich has no public
    way to leave its buffer: its depth goes back to 0, and what the interrupted print had rendered
    is dropped.
    """
    if getattr(console, "_buffer_index", 0):
        console._buffer_index = 0
        del console._buffer[:]


MAX_WIDTH = 100  # lines longer than this are hard to read: a very wide terminal gets 100 columns


def make_console(*, stderr: bool = False) -> Console:
    width = None
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    console = InertConsole(stderr=stderr, highlight=False, emoji=False, soft_wrap=stderr, width=width)
    if console.width > MAX_WIDTH:
        console.width = MAX_WIDTH
    return console


def plain_terminal(console: Console) -> bool:
    """True where charts should fall back to text: no colour, a dumb terminal, or a narrow one."""
    return console.no_color or os.environ.get("TERM") == "dumb" or console.width < 60 or (not console.is_terminal and not os.environ.get("FORCE_COLOR"))
