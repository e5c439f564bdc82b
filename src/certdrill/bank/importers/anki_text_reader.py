"""Anki's plain-text export: `#key:value` header lines, then one note a row (CSV quoting).

Columns named by `#tags column`, `#guid column`, `#deck column` and `#notetype column` are not
note fields; of the rest (named by `#columns` when given) the first is the front, the second the
back, a third the explanation. A front that ends in lettered options (`a) …`, `B. …`) with a back
that names letters becomes a choice item; anything else a flashcard.
"""

from __future__ import annotations

import csv
import io
import re

from certdrill.bank.importers.question import Question, html_to_text, letters_to_indices
from certdrill.bank.items import LETTERS
from certdrill.errors import InputError

HEADER = re.compile(r"^#([A-Za-z ]+):(.*)$")
SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
SPECIAL_COLUMNS = ("tags column", "guid column", "deck column", "notetype column")
FRONT_NAMES = ("front", "question", "prompt", "text")
BACK_NAMES = ("back", "answer")
EXTRA_NAMES = ("explanation", "extra", "back extra", "notes")
OPTION = re.compile(r"^\(?([A-Ha-h])[.)]\s+(.*)$")
ANSWER_PREFIX = re.compile(r"^(?:correct\s+)?answers?\s*[:：-]?\s*", re.IGNORECASE)
SOURCE_PREFIX = re.compile(r"^sources?\s*:\s*", re.IGNORECASE)


def looks_like(text: str) -> bool:
    return bool(re.match(r"#(?:separator|html|notetype|deck|tags column|columns):", text.lstrip("\ufeff")))


def parse(text: str, name: str) -> list[Question]:
    lines = text.splitlines(keepends=True)
    headers: dict[str, tuple[str, int]] = {}
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        match = HEADER.match(lines[start].rstrip("\r\n"))
        if match:
            headers[match.group(1).strip().lower()] = (match.group(2).strip(), start + 1)
        start += 1
    separator = _separator(headers, name)
    is_html = headers.get("html", ("false", 0))[0].lower() == "true"
    special = {column for key in SPECIAL_COLUMNS if (column := _column(headers, key, name)) is not None}
    tags_column = _column(headers, "tags column", name)
    guid_column, deck_column = _column(headers, "guid column", name), _column(headers, "deck column", name)
    roles = _roles(headers, special)
    reader = csv.reader(io.StringIO("".join(lines[start:])), delimiter=separator, quotechar='"')
    questions = []
    consumed = 0
    try:
        for row in reader:
            line = start + consumed + 1
            consumed = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = {role: _text(row[i], is_html) for role, i in roles.items() if i < len(row)}
            tags = row[tags_column - 1].split() if tags_column and tags_column <= len(row) else []
            question = _question(line, cells, tags)
            question.guid = _cell(row, guid_column) or None
            question.topic = _cell(row, deck_column) or _topic_tag(tags)
            questions.append(question)
    except csv.Error as exc:
        raise InputError(f"not Anki plain text: {exc}", file=name, line=start + reader.line_num) from None
    return questions


def _cell(row: list[str], column: int | None) -> str:
    return row[column - 1].strip() if column and column <= len(row) else ""


def _topic_tag(tags: list[str]) -> str | None:
    """certdrill's own export files the topic as a `topic::<slug>` tag."""
    return next((tag.split("::", 1)[1] for tag in tags if tag.startswith("topic::") and len(tag) > 7), None)


def _separator(headers: dict, name: str) -> str:
    value, line = headers.get("separator", ("tab", 0))
    separator = SEPARATORS.get(value.lower(), value)
    if len(separator) != 1:
        raise InputError(f"#separator: {value!r} is not one character or a known name ({', '.join(SEPARATORS)})", file=name, line=line)
    return separator


def _column(headers: dict, key: str, name: str) -> int | None:
    if key not in headers:
        return None
    value, line = headers[key]
    if not value.isdigit() or int(value) < 1:
        raise InputError(f"#{key}: {value!r} is not a column number (1 is the first)", file=name, line=line)
    return int(value)


def _roles(headers: dict, special: set[int]) -> dict[str, int]:
    """0-based column of front, back and extra: by `#columns` names, else by position."""
    if "columns" in headers:
        names = [n.strip().lower() for n in re.split(r"[\t,;|]", headers["columns"][0])]
        roles = {}
        for role, wanted in (("front", FRONT_NAMES), ("back", BACK_NAMES), ("extra", EXTRA_NAMES)):
            found = next((i for i, n in enumerate(names) if n in wanted and i + 1 not in special), None)
            if found is not None:
                roles[role] = found
        if "front" in roles:
            return roles
    fields = [i for i in range(64) if i + 1 not in special]
    return dict(zip(("front", "back", "extra"), fields, strict=False))


def _text(cell: str, is_html: bool) -> str:
    return html_to_text(cell) if is_html else cell.strip()


def _question(line: int, cells: dict[str, str], tags: list[str]) -> Question:
    front = cells.get("front", "").splitlines()
    back = cells.get("back", "").splitlines()
    notes = [SOURCE_PREFIX.sub("", text) for text in back if SOURCE_PREFIX.match(text)]
    back = [text for text in back if not SOURCE_PREFIX.match(text)]
    if back and ANSWER_PREFIX.fullmatch(back[0].strip()):
        back = back[1:]  # certdrill's own export puts "Answer:" on a line of its own
    first_option = _options_start(front)
    question = Question(line, "\n".join(front[:first_option]).strip(), tags=tags, notes=notes)
    extra = cells.get("extra", "")
    if first_option == len(front):
        answer, _, after = "\n".join(back).strip().partition("\n\n")
        question.back = answer
        question.explanation = "\n\n".join(p for p in (after.strip(), extra) if p)
        return question
    question.options = [match.group(2) for text in front[first_option:] if text.strip() and (match := OPTION.match(text))]
    marked, rest = _answer_letters(back)
    if marked is None and back:
        by_text = [i for i, option in enumerate(question.options) if option.strip().casefold() == ANSWER_PREFIX.sub("", back[0].strip()).casefold()]
        marked, rest = (by_text, back[1:]) if by_text else (None, rest)
    if marked is None:
        question.problems.append("no answer letter found on the back")
    else:
        beyond = [LETTERS[i] for i in marked if i >= len(question.options)]
        if beyond:
            question.problems.append(f"the back names option {', '.join(beyond)}, which is not there")
        question.marked = [i for i in marked if i < len(question.options)]
    question.explanation = "\n\n".join(p for p in ("\n".join(rest).strip(), extra) if p)
    return question


def _options_start(front: list[str]) -> int:
    """Where the trailing run of options a), b), c)… begins; len(front) when there is none."""
    for start, text in enumerate(front):
        match = OPTION.match(text.strip())
        if not match or match.group(1).lower() != "a":
            continue
        rest = [t.strip() for t in front[start:] if t.strip()]
        letters = [OPTION.match(t) for t in rest]
        if len(rest) >= 2 and all(m and m.group(1).lower() == LETTERS[i] for i, m in enumerate(letters) if i < len(LETTERS)) and len(rest) <= len(LETTERS):
            return start
    return len(front)


def _answer_letters(back: list[str]) -> tuple[list[int] | None, list[str]]:
    """Letters from 'B', 'Answer: a, c' or lines 'b) text'; and the lines after them."""
    lines = [text.strip() for text in back]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        return None, []
    head = ANSWER_PREFIX.sub("", lines[0])
    letters = letters_to_indices(head)
    if letters is not None:
        return letters, lines[1:]
    marked: list[int] = []
    for count, text in enumerate(lines):
        match = OPTION.match(text)
        if not match:
            return (sorted(set(marked)) or None), lines[count:]
        marked.append(LETTERS.index(match.group(1).lower()))
    return (sorted(set(marked)) or None), []
