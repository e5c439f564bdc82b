"""Find the line of a value inside a JSON text, given its path, for file:line: errors."""

from __future__ import annotations

import json

_decoder = json.JSONDecoder()
_WS = " \t\r\n"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def offset_of(text: str, path: tuple) -> int:
    """Character offset where the value at `path` starts (or of the deepest part that exists)."""
    i = _skip(text, 0)
    for part in path:
        if i >= len(text):
            break
        if text[i] == "{" and isinstance(part, str):
            j = _skip(text, i + 1)
            found = None
            while j < len(text) and text[j] != "}":
                key, j = json.decoder.scanstring(text, j + 1)  # type: ignore[attr-defined]  # public in json.decoder, absent from its stubs
                j = _skip(text, j)
                j = _skip(text, j + 1)  # past ':'
                if key == part:
                    found = j
                    break
                _, j = _decoder.raw_decode(text, j)
                j = _skip(text, j)
                if j < len(text) and text[j] == ",":
                    j = _skip(text, j + 1)
            if found is None:
                return i
            i = found
        elif text[i] == "[" and isinstance(part, int):
            j = _skip(text, i + 1)
            for _ in range(part):
                if j >= len(text) or text[j] == "]":
                    return i
                _, j = _decoder.raw_decode(text, j)
                j = _skip(text, j)
                if j < len(text) and text[j] == ",":
                    j = _skip(text, j + 1)
            if j >= len(text) or text[j] == "]":
                return i
            i = j
        else:
            break
    return i


def json_line(text: str, path: tuple) -> int:
    try:
        return text.count("\n", 0, offset_of(text, path)) + 1
    except (ValueError, IndexError):
        return 1
