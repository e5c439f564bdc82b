"""Consoles with stable, script-friendly defaults (NO_COLOR is honoured by Rich itself)."""

from __future__ import annotations

import os

from rich.console import Console

MAX_WIDTH = 100  # lines longer than this are hard to read: a very wide terminal gets 100 columns


def make_console(*, stderr: bool = False) -> Console:
    width = None
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    console = Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=stderr, width=width)
    if console.width > MAX_WIDTH:
        console.width = MAX_WIDTH
    return console


def plain_terminal(console: Console) -> bool:
    """True where charts should fall back to text: no colour, a dumb terminal, or a narrow one."""
    return console.no_color or os.environ.get("TERM") == "dumb" or console.width < 60 or (not console.is_terminal and not os.environ.get("FORCE_COLOR"))
