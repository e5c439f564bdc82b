"""Reading what the learner types, a line at a time, from a terminal or a pipe."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.text import Text


def read_line(console: Console, prompt: str) -> str | None:
    """One line, stripped; None at end of input or Ctrl-C/Ctrl-D (the session then ends cleanly)."""
    console.print(Text(prompt, style="bold"), end="")
    try:
        line = input().strip()
    except (EOFError, KeyboardInterrupt):
        console.print()
        return None
    if not sys.stdin.isatty():
        console.print(line, markup=False)  # piped input is not echoed by a terminal: keep the transcript readable
    return line
