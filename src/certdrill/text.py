"""Bank text is data: find and remove what could rewrite a terminal."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, the Unicode line and paragraph separators
# (a line break that turns a one-line error into two), and bidi overrides (which reorder what is shown).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """Drop control characters; an ESC sequence loses its ESC and shows as inert text."""
    return CONTROL.sub("", text.replace("\r\n", "\n"))


def has_controls(text: str) -> bool:
    return CONTROL.search(text.replace("\r\n", "\n")) is not None


def show_controls(text: str) -> str:
    """Control characters as visible escapes (`\\x1b`), for messages that must keep them legible."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def json_controls(text: str) -> str:
    """Escape what json.dumps(ensure_ascii=False) leaves raw (DEL, C1, bidi); only valid on JSON text."""
    if text.isascii() and "\x7f" not in text:  # the common case, checked in C: nothing to escape
        return text
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def inert_json(value: object, *, indent: int | None = None) -> str:
    """The one JSON encoder of every output: `json.dumps` leaves DEL, C1 and bidi controls raw
    (it escapes only C0), which a terminal would act on; here every control is a `\\uXXXX` escape."""
    import json

    return json_controls(json.dumps(value, ensure_ascii=False, indent=indent))


# Rich markup an author may have meant as styling: closing tags, and opening tags of styles and links.
_STYLE = r"(?:not )?(?:bold|dim|italic|underline|blink|reverse|strike|conceal)|link(?:=[^\]\s]*)?|(?:bright_)?(?:black|red|green|yellow|blue|magenta|cyan|white)|#[0-9a-f]{6}"
MARKUP = re.compile(rf"\[/(?:[^\]\s]*)\]|\[(?:{_STYLE})(?: (?:on )?(?:{_STYLE}))*\]", re.IGNORECASE)


def has_markup(text: str) -> bool:
    return MARKUP.search(text) is not None


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
