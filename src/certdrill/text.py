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
