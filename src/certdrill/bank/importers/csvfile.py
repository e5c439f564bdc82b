"""CSV with a header row: a prompt column, choices, an answer, optionally explanation and tags.

Choices come from one `choices` column (one a line, or separated by `|`) or from one column per
choice (`a`…`h`, `choice a`, `option 1`…). The answer may be letters (`b`, `a,c`), 1-based
numbers, or the text of the right choice; with no choices, `true`/`false` makes a true/false item
and any other answer the back of a flashcard.
"""

from __future__ import annotations

import csv
import io
import re

from certdrill.bank.importers.question import Question, letters_to_indices
from certdrill.bank.items import LETTERS
from certdrill.errors import InputError

PROMPT = ("prompt", "question", "front", "text")
CHOICES = ("choices", "options")
ANSWER = ("answer", "answers", "correct", "correct answer", "correct answers", "key", "back")
EXPLANATION = ("explanation", "explanations", "rationale", "extra", "notes")
TAGS = ("tags", "tag")
ONE_CHOICE = re.compile(r"^(?:(?:choice|option|answer)\s*)?([a-h]|[1-8])$")
DELIMITERS = ",;\t"


def _key(name: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", name.strip().lstrip("\ufeff").lower()).split())


def parse(text: str, name: str) -> list[Question]:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=lambda d: sum(_key(cell) in PROMPT + CHOICES + ANSWER for cell in first.split(d)))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        header = [_key(cell) for cell in next(reader, [])]
        columns = _columns(header, name)
        questions = []
        consumed = reader.line_num
        for row in reader:
            line = consumed + 1
            consumed = reader.line_num
            if any(cell.strip() for cell in row):
                questions.append(_question(line, row, columns))
    except csv.Error as exc:
        raise InputError(f"not CSV: {exc}", file=name, line=reader.line_num) from None
    return questions


def _columns(header: list[str], name: str) -> dict:
    def find(names):
        return next((i for i, cell in enumerate(header) if cell in names), None)

    prompt = find(PROMPT)
    if prompt is None:
        raise InputError(f"the header row needs a prompt (or question) column; found: {', '.join(header) or 'nothing'}", file=name, line=1)
    per_choice = sorted(
        ((m.group(1), i) for i, cell in enumerate(header) if (m := ONE_CHOICE.match(cell)) and i != prompt),
        key=lambda pair: LETTERS.index(pair[0]) if pair[0] in LETTERS else int(pair[0]) - 1,
    )
    return {
        "prompt": prompt,
        "choices": find(CHOICES),
        "per_choice": [i for _, i in per_choice],
        "answer": find(ANSWER),
        "explanation": find(EXPLANATION),
        "tags": find(TAGS),
    }


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _question(line: int, row: list[str], columns: dict) -> Question:
    if columns["choices"] is not None:
        raw = _cell(row, columns["choices"])
        options = [o.strip() for o in (raw.splitlines() if "\n" in raw else raw.split("|"))] if raw else []
    else:
        options = [_cell(row, i) for i in columns["per_choice"]]
        while options and not options[-1]:
            options.pop()  # fewer choices than columns
    tags = re.split(r"[\s,;]+", _cell(row, columns["tags"]))
    question = Question(line, _cell(row, columns["prompt"]), options, explanation=_cell(row, columns["explanation"]), tags=[t for t in tags if t])
    answer = _cell(row, columns["answer"])
    if not options:
        question.back = answer
        return question
    if answer:
        marked = _answer(answer, options)
        if marked is None:
            question.problems.append("the answer matches no choice (give letters, numbers or a choice's text)")
        else:
            question.marked = marked
    return question


def _answer(answer: str, options: list[str]) -> list[int] | None:
    """The text of a choice, then letters, then 1-based numbers, then several texts split by '|'."""
    folded = [o.casefold() for o in options]
    if answer.casefold() in folded:
        return [folded.index(answer.casefold())]
    letters = letters_to_indices(answer)
    if letters is not None and all(i < len(options) for i in letters):
        return letters
    if re.fullmatch(r"\d+(?:\s*[,;]\s*\d+)*", answer):
        numbers = sorted({int(n) - 1 for n in re.findall(r"\d+", answer)})
        return numbers if all(0 <= n < len(options) for n in numbers) else None
    parts = [p.strip().casefold() for p in re.split(r"[|\n]", answer)]
    if len(parts) > 1 and all(p in folded for p in parts):
        return sorted({folded.index(p) for p in parts})
    return None
