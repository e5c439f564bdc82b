"""The Markdown layout of public practice-question repositories.

A question starts at a heading (`### Which service…?`) or a numbered line at the left margin
(`12. Which service…?`); its options are task-list items (`- [ ] wrong`, `- [x] right`) or lettered
items (`- A. text`) with a `Correct answer: B` line, often inside a <details> block. Text after the
options, up to the next question, is the explanation. Fenced code is never read as structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from certdrill.bank.importers.question import Question, letters_to_indices, paragraphs
from certdrill.bank.items import LETTERS

HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
NUMBERED = re.compile(r"^\d{1,4}[.)]\s+(.*)$")
CHECKBOX = re.compile(r"^(\s*)[-*+]\s+\[([ xX])\]\s?(.*)$")
LETTERED = re.compile(r"^(\s*)(?:[-*+]\s+)?\(?([A-Ha-h])[.)]\s+(.*)$")
ANSWER = re.compile(r"^\s*(?:[*_]{1,2})?(?:correct\s+)?answers?\s*(?:[*_]{1,2})?\s*[:：]\s*(?:[*_]{1,2})?\s*(.*?)\s*(?:[*_]{1,2})?\s*$", re.IGNORECASE)
LABEL = re.compile(r"^(?:q(?:uestion)?\s*[-#:.]?\s*\d+\s*[:.)-]?\s*)", re.IGNORECASE)
NOISE = re.compile(r"^\s*(?:[-*_]{3,}|</?details\b.*|<summary\b.*|.*\bback to top\b.*)\s*$", re.IGNORECASE)
FENCE = re.compile(r"^\s*(?:```|~~~)")


@dataclass
class _Block:
    line: int
    title: str
    body: list[tuple[int, str]] = field(default_factory=list)


def parse(text: str) -> tuple[list[Question], list[int]]:
    """The questions, and the lines of headings or numbered lines skipped for having no options."""
    questions, skipped = [], []
    for block in _blocks(text.splitlines()):
        question = _question(block)
        if question is None:
            skipped.append(block.line)
        else:
            questions.append(question)
    return questions, skipped


def _blocks(lines: list[str]) -> list[_Block]:
    blocks: list[_Block] = []
    fenced = False
    for number, line in enumerate(lines, 1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (start := HEADING.match(line) or NUMBERED.match(line)):
            blocks.append(_Block(number, start.group(1)))
            continue
        if blocks:
            blocks[-1].body.append((number, line))
    return blocks


def _question(block: _Block) -> Question | None:
    title = LABEL.sub("", block.title).strip()
    prompt_lines = [title] if title else []
    options: list[list[str]] = []
    indent = 0
    marked: list[int] = []
    answer_text: str | None = None
    after: list[str] = []
    checkboxes = any(CHECKBOX.match(line) for _, line in block.body)
    fenced = False
    wraps = False  # the line before was an option, so a deeper-indented line continues it
    for _, line in block.body:
        if FENCE.match(line):
            fenced = not fenced
        box = None if fenced else CHECKBOX.match(line)
        lettered = None if fenced or checkboxes or after else LETTERED.match(line)
        if box:
            indent, wraps = len(box.group(1)), True
            options.append([box.group(3)])
            if box.group(2) in "xX":
                marked.append(len(options) - 1)
            continue
        if lettered and len(options) < len(LETTERS) and lettered.group(2).lower() == LETTERS[len(options)]:
            indent, wraps = len(lettered.group(1)), True
            options.append([lettered.group(3)])
            continue
        if not fenced and (answer := ANSWER.match(line)) and options:
            answer_text, wraps = answer.group(1), False
            continue
        if not fenced and NOISE.match(line):
            wraps = False
            continue
        if wraps and line.strip() and len(line) - len(line.lstrip()) > indent:
            options[-1].append(line.strip())
            continue
        wraps = False
        if not options:
            prompt_lines.append(line)
        elif line.strip() or after:
            after.append(line)
    if not options:
        return None
    question = Question(block.line, paragraphs(prompt_lines), [" ".join(o) for o in options], marked, explanation=paragraphs(after))
    if not marked and answer_text:
        letters = letters_to_indices(answer_text)
        if letters is None:
            question.problems.append("the answer line names no option letter")
        else:
            beyond = [LETTERS[i] for i in letters if i >= len(options)]
            if beyond:
                question.problems.append(f"the answer names option {', '.join(beyond)}, which is not there")
            question.marked = [i for i in letters if i < len(options)]
    return question
