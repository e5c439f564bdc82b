"""Parsed questions → bank items, judging what can be trusted.

An item whose answer key cannot be trusted (none marked, a count that disagrees with "choose two",
broken options) is still written, as a `needs-review` flashcard whose back lists the options and
what the source marked: that shape always validates, and nothing is silently dropped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from certdrill.bank.importers.question import Question
from certdrill.bank.items import LETTERS
from certdrill.bank.loader import expected_count
from certdrill.bank.words import count_word
from certdrill.text import strip_controls

NEEDS_REVIEW = "needs-review"
PLACEHOLDER_PREFIX = "No explanation in the source"
MAX_TEXT = 20_000
MAX_NOTE = 500
_EMPHASIS = re.compile(r"\*\*|__")
_TAG_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_CERTDRILL_TAG = re.compile(r"^(?:exam|service)::")
CERTDRILL_GUID = "certdrill:"


@dataclass(frozen=True)
class Converted:
    data: dict  # the item as it goes into the topic file, keys in file order
    line: int
    reasons: tuple[str, ...]  # why it needs review; empty when it can be trusted
    source: str = ""  # the file's name, when the item comes from a question file

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def needing_review(data: dict) -> dict:
    """The item with `status: needs-review` right after its id and type."""
    return {"id": data["id"], "type": data["type"], "status": NEEDS_REVIEW, **{k: v for k, v in data.items() if k not in ("id", "type", "status")}}


def normalized(prompt: str) -> str:
    """What two copies of one question share: case, spacing and emphasis do not matter."""
    text = unicodedata.normalize("NFKC", prompt)
    text = re.sub(r"[*_`]", "", text)
    return " ".join(text.casefold().split())


def item_id_for(prompt: str) -> str:
    """Slug of the first words plus a hash of the whole question: the same question keeps its id."""
    ascii_text = unicodedata.normalize("NFKD", prompt).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)[:6]
    slug = "-".join(words)[:40].strip("-") or "q"
    digest = hashlib.blake2b(normalized(prompt).encode(), digest_size=4).hexdigest()
    return f"{slug}-{digest}"


def guid_id(guid: str, suffix: str = "1") -> str:
    """An id from an Anki note's GUID (and card): `anki-<hash>-<card>`; certdrill's own `certdrill:<id>` gives the id back."""
    rest = guid[len(CERTDRILL_GUID) :]
    if guid.startswith(CERTDRILL_GUID) and suffix == "1" and re.match(r"^[a-z0-9][a-z0-9-]*$", rest) and len(rest) <= 120:
        return rest
    return f"anki-{hashlib.blake2b(guid.encode(), digest_size=5).hexdigest()}-{suffix}"


def placeholder(where: str) -> str:
    return f"{PLACEHOLDER_PREFIX} (imported from {where})."


def is_placeholder(explanation: str) -> bool:
    return explanation.startswith(PLACEHOLDER_PREFIX)


def clean(text: str | None) -> str:
    """Source text as bank text: no control characters, no Markdown bold, trimmed, bounded."""
    text = _EMPHASIS.sub("", strip_controls(text or ""))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return text[:MAX_TEXT]


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Tags in the bank's alphabet; certdrill's own Anki tags (exam::X, service::x) lose their prefix."""
    out = []
    for tag in tags:
        if tag.startswith("topic::") or tag == NEEDS_REVIEW:
            continue
        tag = _TAG_CHARS.sub("-", _CERTDRILL_TAG.sub("", tag)).strip("-._")[:60]
        if tag and tag not in out:
            out.append(tag)
    return out


def convert(questions: Sequence[Question], *, source: str) -> list[Converted]:
    """Every question becomes an item; duplicates get a numbered id and are marked for review."""
    first_line: dict[str, int] = {}
    copies: dict[str, int] = {}
    out = []
    for question in questions:
        where = f"{source}:{question.line}"
        data, reasons = _item(question, where)
        key = normalized(data["prompt"])
        if key in first_line:
            copies[key] += 1
            data["id"] = f"{data['id']}-{copies[key]}"
            reasons.append(f"same question as line {first_line[key]}")
        else:
            first_line[key], copies[key] = question.line, 1
        if reasons:
            data = needing_review(data)
        out.append(Converted(data, question.line, tuple(reasons), source))
    return out


def _item(question: Question, where: str) -> tuple[dict, list[str]]:
    reasons = [*question.problems, *question.cautions]
    prompt = clean(question.prompt)
    if not prompt:
        reasons.append("empty question")
        prompt = "(The question is empty in the source.)"
    data: dict = {"id": guid_id(question.guid) if question.guid else item_id_for(prompt), "type": "flashcard", "prompt": prompt}
    if question.options:
        data.update(_choice_fields(question, prompt, reasons))
    else:
        back = clean(question.back)
        if back.casefold() in ("true", "false"):
            data.update(type="truefalse", answer=back.casefold() == "true")
        else:
            if not back:
                reasons.append("no answer in the source")
            data["back"] = back or "(No answer in the source.)"
    data["explanation"] = clean(question.explanation) or placeholder(where)
    tags = clean_tags(question.tags)
    if tags:
        data["tags"] = tags
    data["sources"] = [{"note": where}] + [{"note": clean(n)[:MAX_NOTE]} for n in question.notes if clean(n)]
    return data, reasons


def label(index: int) -> str:
    """An option's letter as the source showed it; past h, its number."""
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def _choice_fields(question: Question, prompt: str, reasons: list[str]) -> dict:
    """single / multi / truefalse when the key holds up; otherwise a flashcard listing the options."""
    options = [clean(o) for o in question.options]
    marked = sorted({i for i in question.marked if 0 <= i < len(options)})
    trusted = not question.problems
    empty = [i for i, text in enumerate(options) if not text]
    if empty:
        reasons.append(f"empty option{'s' if len(empty) > 1 else ''} {', '.join(label(i) for i in empty)}")
        trusted = trusted and not set(empty) & set(marked)
    keep = [i for i, text in enumerate(options) if text]
    seen: dict[str, int] = {}
    for i in keep:
        if options[i].casefold() in seen:
            reasons.append(f"options {label(seen[options[i].casefold()])} and {label(i)} are the same")
            trusted = False
        seen.setdefault(options[i].casefold(), i)
    if len(keep) < 2:
        reasons.append("fewer than two options")
        trusted = False
    if len(options) > len(LETTERS):
        reasons.append(f"more than {len(LETTERS)} options")
        trusted = False
    want = expected_count(prompt)
    if not marked:
        if not question.problems:  # a parser problem already says why no answer was found
            reasons.append("no answer marked")
        trusted = False
    elif want is not None and want != len(marked):
        reasons.append(f"the prompt asks to choose {count_word(want)} but {len(marked)} {'is' if len(marked) == 1 else 'are'} marked")
        trusted = False
    elif len(marked) > 1 and len(marked) >= len(keep):
        reasons.append("every option is marked right")
        trusted = False
    if not trusted:
        listed = "\n".join(f"- {label(i)}) {text or '(empty)'}" for i, text in enumerate(options))
        key = ", ".join(label(i) for i in marked) or "none"
        return {"back": f"Options in the source:\n{listed}\n\nMarked right in the source: {key}"}
    choices = [options[i] for i in keep]
    answer = [LETTERS[keep.index(i)] for i in marked]
    if [c.casefold() for c in choices] == ["true", "false"] and len(answer) == 1:
        return {"type": "truefalse", "answer": answer == ["a"]}
    if len(answer) == 1:
        return {"type": "single", "choices": choices, "answer": answer[0]}
    return {"type": "multi", "choices": choices, "answer": answer}
