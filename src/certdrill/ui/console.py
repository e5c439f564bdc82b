"""Consoles with stable, script-friendly defaults (NO_COLOR is honoured by Rich itself)."""

from __future__ import annotations

import os

from rich.console import Console


def make_console(*, stderr: bool = False) -> Console:
    width = None
    if os.environ.get("COLUMNS", "").isdigit():
        width = int(os.environ["COLUMNS"])
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=stderr, width=width)


def plain_terminal(console: Console) -> bool:
    """True where charts should fall back to text: no colour, a dumb terminal, or a narrow one."""
    return console.no_color or os.environ.get("TERM") == "dumb" or console.width < 60 or (not console.is_terminal and not os.environ.get("FORCE_COLOR"))
