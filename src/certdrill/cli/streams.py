"""Output to a stream that cannot encode every character (PYTHONIOENCODING=ascii, a latin-1
terminal): what it cannot show is replaced, never a UnicodeEncodeError traceback.

Text gets ASCII stand-ins for certdrill's own symbols (× → · — …) and `?` for the rest. A JSON
document on stdout (`--json`, `--jsonl`, `export -o -`) gets `\\uXXXX` escapes instead, which JSON
reads back as the same characters: the document stays valid and loses nothing.
"""

from __future__ import annotations

import codecs
import itertools
import sys

STAND_INS = {
    "×": "x",
    "→": "->",
    "←": "<-",
    "·": "-",
    "•": "*",
    "…": "...",
    "—": "--",
    "–": "-",
    "−": "-",
    "≥": ">=",
    "≤": "<=",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "：": ":",
    "│": "|",
    "░": ".",
    "▒": ":",
    "▓": "#",
    "█": "#",
    **dict(zip("▁▂▃▄▅▆▇", "_.-:=+*", strict=True)),
}


def _stand_ins(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(STAND_INS.get(char, "?") for char in exc.object[exc.start : exc.end]), exc.end


def _json_escapes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    units = exc.object[exc.start : exc.end].encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2)), exc.end


codecs.register_error("certdrill-stand-ins", _stand_ins)
codecs.register_error("certdrill-json", _json_escapes)


def writes_json(argv: list[str]) -> bool:
    """Whether stdout carries a JSON document: --json, --jsonl, or an export to `-`."""
    return any(arg in ("--json", "--jsonl", "--output=-", "-o-") for arg in argv) or any(
        flag in ("-o", "--output") and value == "-" for flag, value in itertools.pairwise(argv)
    )


def tolerate(argv: list[str]) -> None:
    """Give each standard stream that is not UTF-8 an error handler instead of strict encoding."""
    for stream, handler in ((sys.stdout, "certdrill-json" if writes_json(argv) else "certdrill-stand-ins"), (sys.stderr, "certdrill-stand-ins")):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors=handler)
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # an answer typed in another encoding is a wrong answer, not a crash
