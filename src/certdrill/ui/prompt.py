"""Reading what the learner types, a line at a time, from a terminal or a pipe."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.text import Text


def read_line(console: Console, prompt: str, *, interruptible: bool = False) -> str | None:
    """One line, stripped; None at end of input or Ctrl-C/Ctrl-D (the session then ends cleanly).

    With `interruptible`, Ctrl-C raises KeyboardInterrupt instead: a mock exam treats end of input
    as "submit" but Ctrl-C as "leave it to resume later".
    """
    console.print(Text(prompt, style="bold"), end="")
    try:
        line = input().strip()
    except EOFError:
        console.print()
        return None
    except KeyboardInterrupt:
        console.print()
        if interruptible:
            raise
        return None
    if not sys.stdin.isatty():
        console.print(line, markup=False)  # piped input is not echoed by a terminal: keep the transcript readable
    return line
