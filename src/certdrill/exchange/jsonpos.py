"""JSON text for file:line: errors: decoded so that any text gives an InputError at its line
(never a RecursionError or ValueError), and the line of a value found from its path."""

from __future__ import annotations

import json
import re

from certdrill.errors import InputError

MAX_DIGITS = 4300  # Python's own limit for turning digits into an int (and jiter's, which streamed lines meet first)
NESTED = 500  # deeper than this is reported when the parser runs out of stack (it does well past it)
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')

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
    except (ValueError, IndexError, RecursionError):
        return 1


class _TooLong(ValueError):
    def __init__(self, digits: str):
        super().__init__(digits)
        self.digits = digits


def _int(digits: str) -> int:
    """An int from the parser's digits, refusing thousands of them (str to int is quadratic)."""
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise _TooLong(digits)
    try:
        return int(digits)
    except ValueError:  # a lower limit set for this process (PYTHONINTMAXSTRDIGITS)
        raise _TooLong(digits) from None


def loads(text: str, name: str, line: int = 1, column: int = 0):
    """`json.loads`, every way it can fail as one InputError naming the file and line; `line` is the
    file line the text starts on, `column` the text's offset in it."""
    try:
        return json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        at = column if exc.lineno == 1 else 0
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno + at})", file=name, line=line - 1 + exc.lineno) from None
    except _TooLong as exc:
        where = text.find(exc.digits)
        message = f"a number {len(exc.digits.lstrip('-')):,} digits long (at most {MAX_DIGITS:,})"
        raise InputError(message, file=name, line=line + text.count("\n", 0, max(where, 0))) from None
    except RecursionError:
        where = _too_deep(text)
        raise InputError(f"JSON nested too deeply (more than {NESTED} levels)", file=name, line=line + text.count("\n", 0, where)) from None


def _too_deep(text: str) -> int:
    """Where the text first opens its NESTED+1st level (strings skipped), or 0."""
    depth = 0
    for token in _TOKENS.finditer(text):
        kind = token.group()
        if kind in ("[", "{"):
            depth += 1
            if depth > NESTED:
                return token.start()
        elif kind in ("]", "}"):
            depth -= 1
    return 0
