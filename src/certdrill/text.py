"""Bank text is data: find and remove what could rewrite a terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and bidi overrides (which reorder what is shown).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Drop control characters; an ESC sequence loses its ESC and shows as inert text."""
    return CONTROL.sub("", text.replace("\r\n", "\n"))


def has_controls(text: str) -> bool:
    return CONTROL.search(text.replace("\r\n", "\n")) is not None


_KEEP_BREAK = re.compile(r"^(\s|[-*•] |\d+[.)] |\$ |```)")


def reflow(text: str) -> str:
    """Join hard-wrapped lines into paragraphs, so the terminal wraps them at its own width.

    Blank lines, list items, numbered steps and indented (code-like) lines keep their breaks.
    """
    out: list[str] = []
    for line in text.strip("\n").split("\n"):
        if out and out[-1] and line.strip() and not _KEEP_BREAK.match(line) and not _KEEP_BREAK.match(out[-1]):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line.rstrip())
    return "\n".join(out)
