"""What a parser hands on: one question as the source wrote it, before any judgement."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from certdrill.bank.items import LETTERS

_LETTER_LIST = re.compile(r"^\(?[a-h]\)?(?:\s*(?:,|&|\band\b)?\s*\(?[a-h]\)?)*$", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"<\s*(?:br\s*/?|/?div|/?p|/?li|/?tr|hr\s*/?)\s*>", re.IGNORECASE)


@dataclass
class Question:
    line: int  # where the question starts in the source, 1-based
    prompt: str
    options: list[str] = field(default_factory=list)
    marked: list[int] = field(default_factory=list)  # indices into options the source marks right
    back: str | None = None  # the answer side when the source has no options
    explanation: str = ""
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the parser could not make sense of
    cautions: list[str] = field(default_factory=list)  # why a person should look, though the key holds (an image)
    notes: list[str] = field(default_factory=list)  # extra source notes the source itself names
    guid: str | None = None  # Anki's note GUID, when the source gives it: the item's id comes from it
    topic: str | None = None  # the deck (or certdrill's topic:: tag) the source files it under


def letters_to_indices(text: str) -> list[int] | None:
    """'B', 'a, c', 'B and D', 'AC' → 0-based indices; None when the text is not a letter list."""
    text = text.strip().rstrip(".")
    if not text or not _LETTER_LIST.match(text):
        return None
    letters = re.sub(r"\band\b", " ", text.lower())
    return sorted({LETTERS.index(ch) for ch in letters if ch in LETTERS})


def html_to_text(value: str) -> str:
    """An HTML field as plain text: breaks and blocks become newlines, tags go, entities decode."""
    text = _BREAKS.sub("\n", value)
    text = html.unescape(_TAGS.sub("", text)).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def paragraphs(lines: list[str]) -> str:
    """Source lines as text: soft-wrapped lines joined, paragraphs apart, fenced code kept line by line."""
    out: list[str] = []
    current: list[str] = []
    fence: list[str] | None = None
    for line in lines:
        if line.strip().startswith(("```", "~~~")):
            if fence is None:
                if current:
                    out.append(" ".join(current))
                current, fence = [], [line.strip()]
            else:
                out.append("\n".join([*fence, line.strip()]))
                fence = None
        elif fence is not None:
            fence.append(line.rstrip())
        elif line.strip():
            current.append(line.strip())
        elif current:
            out.append(" ".join(current))
            current = []
    if fence is not None:
        out.append("\n".join(fence))
    if current:
        out.append(" ".join(current))
    return "\n\n".join(out)
