"""The Markdown layout of public practice-question repositories, read with markdown-it-py.

A question starts at a heading (`### Which service…?`) or a numbered line at the left margin
(`12. Which service…?`); its options are task-list items (`- [ ] wrong`, `- [x] right`) or lettered
lines or items (`- A. text`, or `A. text` on the question's own line) with a `Correct answer: B`
line, often inside a <details> block. Text after the options, up to the next question, is the
explanation.

markdown-it does the Markdown: fenced code is never read as structure, entities decode, `<br/>` and
hard breaks are line breaks, links keep their URLs, images are named as `[image: path]`. This
module only decides what a question is. A question with an image (an option that is one, or an
exhibit) is kept with a caution, so the import marks it `needs-review` and names the image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from certdrill.bank.importers.question import Question, letters_to_indices
from certdrill.bank.items import LETTERS

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

NUMBERED = re.compile(r"^\d{1,4}[.)]\s+(.*)$")
CHECKBOX = re.compile(r"^\[([ xX])\](?:\s+|$)(.*)$", re.DOTALL)
LETTERED = re.compile(r"^\(?([A-Ha-h])[.)]\s+(.*)$", re.DOTALL)
ANSWER = re.compile(r"^\s*(?:[*_]{1,2})?(?:correct\s+)?answers?\s*(?:[*_]{1,2})?\s*[:：]\s*(?:[*_]{1,2})?\s*(.*?)\s*(?:[*_]{1,2})?\s*$", re.IGNORECASE)
LABEL = re.compile(r"^(?:q(?:uestion)?\s*[-#:.]?\s*\d+\s*[:.)-]?\s*)", re.IGNORECASE)
NOISE = re.compile(r"^\s*(?:[-*_]{3,}|.*\bback to top\b.*)\s*$", re.IGNORECASE)
BREAK = re.compile(r"^<\s*br\s*/?\s*>$", re.IGNORECASE)
IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
DETAILS = re.compile(r"<summary\b[^>]*>.*?</summary>|</?(?:details|summary)\b[^>]*>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
EXHIBIT = re.compile(r"\b(?:exhibit|(?:refer to|shown in|see) the (?:diagram|image|picture|screenshot|figure))\b", re.IGNORECASE)
MAX_NESTING = 3  # indented code re-read as Markdown, at most this deep


class Kind(Enum):
    START = "start"  # a heading or a numbered line at the margin: a question may begin
    ITEM = "item"  # the first paragraph of a list item
    TEXT = "text"  # one line of a paragraph (or of an HTML block)
    CODE = "code"  # a fenced block, kept whole


@dataclass
class Piece:
    line: int  # 1-based
    kind: Kind
    text: str
    join: str = "para"  # how it follows the piece before: "para", "hard" (a line break) or "soft" (a space)
    images: list[str] = field(default_factory=list)


def parse(text: str) -> tuple[list[Question], list[int]]:
    """The questions, and the lines of headings or numbered lines skipped for having no options."""
    questions, skipped = [], []
    for block in _blocks(_pieces(_parser(), text, 0, 0)):
        question = _question(block)
        if question is None:
            skipped.append(block[0].line)
        else:
            questions.append(question)
    return questions, skipped


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def _blocks(pieces: list[Piece]) -> list[list[Piece]]:
    blocks: list[list[Piece]] = []
    for piece in pieces:
        if piece.kind is Kind.START:
            blocks.append([piece])
        elif blocks:
            blocks[-1].append(piece)
    return blocks


# Markdown → pieces


def _pieces(md: MarkdownIt, text: str, offset: int, depth: int) -> list[Piece]:
    """The document as a flat list of pieces, each with its source line (`offset` lines down)."""
    source = text.splitlines()
    tokens = md.parse(text)
    pieces: list[Piece] = []
    lists: list[bool] = []  # ordered?, innermost last
    items: list[list[bool]] = []  # [a question starts here, first paragraph still to come]
    for index, token in enumerate(tokens):
        kind, line = token.type, (token.map[0] if token.map else 0)
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            at_margin = len(lists) == 1 and lists[0] and line < len(source) and bool(NUMBERED.match(source[line]))
            items.append([at_margin, True])
        elif kind == "list_item_close":
            items.pop()
        elif kind == "inline":
            heading = index > 0 and tokens[index - 1].type == "heading_open"
            first = bool(items) and items[-1][1] and not heading
            if first:
                items[-1][1] = False
            lines = _inline_lines(token, offset + line + 1)
            if heading or (first and items[-1][0]):
                head, *rest = lines
                pieces.append(Piece(head.line, Kind.START, head.text, images=head.images))
                pieces.extend(_margin_starts(rest, source, offset))
            elif first:
                whole = _joined(lines)
                pieces.append(Piece(lines[0].line, Kind.ITEM, whole, images=[i for p in lines for i in p.images]))
            else:
                pieces.extend(_margin_starts(lines, source, offset))
        elif kind == "fence":
            body = token.content.rstrip("\n")
            fence = token.markup
            pieces.append(Piece(offset + line + 1, Kind.CODE, "\n".join([f"{fence}{token.info}".strip(), *[x.rstrip() for x in body.splitlines()], fence])))
        elif kind == "code_block":  # indented text: community files indent options and answers, rarely code
            if depth < MAX_NESTING:
                pieces.extend(_pieces(md, token.content, offset + line, depth + 1))
            else:
                pieces.append(Piece(offset + line + 1, Kind.CODE, token.content.rstrip()))
        elif kind == "html_block":
            pieces.extend(_html_lines(md, token.content, offset + line + 1))
    return pieces


def _margin_starts(lines: list[Piece], source: list[str], offset: int) -> list[Piece]:
    """A numbered line at the margin starts a question even when Markdown reads it as a paragraph's
    next line (CommonMark lets only a list starting at 1 interrupt a paragraph)."""
    for piece in lines:
        index = piece.line - 1 - offset
        if piece.join != "para" and 0 <= index < len(source) and (match := NUMBERED.match(source[index])):
            piece.kind, piece.join, piece.text = Kind.START, "para", _strip_number(piece.text, match)
    return lines


def _strip_number(text: str, match: re.Match[str]) -> str:
    return re.sub(r"^\d{1,4}[.)]\s+", "", text) if NUMBERED.match(text) else match.group(1)


def _inline_lines(token: Token, first_line: int) -> list[Piece]:
    """An inline token as lines of text as a reader sees them."""
    lines = [Piece(first_line, Kind.TEXT, "")]
    links: list[tuple[str, int]] = []  # href, where its text starts

    def add(text: str) -> None:
        lines[-1].text += text

    def new_line(join: str, advance: int) -> None:
        lines.append(Piece(lines[-1].line + advance, Kind.TEXT, "", join=join))

    for child in token.children or []:
        kind = child.type
        if kind == "text":
            add(child.content)
        elif kind == "code_inline":
            add(f"`{child.content}`")
        elif kind in ("softbreak", "hardbreak"):
            new_line("soft" if kind == "softbreak" else "hard", 1)
        elif kind == "image":
            src = str(child.attrs.get("src", ""))
            lines[-1].images.append(src)
            add(f"[image: {src}]")
        elif kind == "html_inline":
            if BREAK.match(child.content.strip()):
                new_line("hard", 0)
            elif img := IMG_SRC.search(child.content):
                lines[-1].images.append(img.group(1))
                add(f"[image: {img.group(1)}]")
        elif kind == "link_open":
            links.append((str(child.attrs.get("href", "")), len(lines[-1].text)))
        elif kind == "link_close" and links:
            href, start = links.pop()
            shown = lines[-1].text[start:]
            if href and not href.startswith("#") and shown.strip() != href and child.markup != "autolink":
                add(f" ({href})")
    for piece in lines:
        piece.text = piece.text.strip()
    return [p for p in lines if p.text or p.join == "para"] or lines[:1]


def _html_lines(md: MarkdownIt, html: str, first_line: int) -> list[Piece]:
    """An HTML block line by line: <details>/<summary> go, images are named, other tags go, the
    rest is read as Markdown text (so entities decode)."""
    out: list[Piece] = []
    for number, raw in enumerate(html.splitlines(), first_line):
        images = IMG_SRC.findall(raw)
        text = TAG.sub("", DETAILS.sub("", raw)).strip()
        if text:
            inline = next((t for t in md.parse(text) if t.type == "inline"), None)
            text = _joined(_inline_lines(inline, number)) if inline is not None else text
        text = " ".join([text, *(f"[image: {src}]" for src in images)]).strip()
        if text:
            out.append(Piece(number, Kind.TEXT, text, join="hard" if out and out[-1].line == number - 1 else "para", images=images))
    return out


def _joined(pieces: list[Piece]) -> str:
    """Pieces as text: soft-wrapped lines joined with a space, line breaks kept, paragraphs apart,
    consecutive list items one a line."""
    text = ""
    previous: Piece | None = None
    for piece in pieces:
        if previous is not None:
            if piece.kind is Kind.ITEM and previous.kind is Kind.ITEM:
                text += "\n"
            else:
                text += {"para": "\n\n", "hard": "\n", "soft": " "}[piece.join]
        text += piece.text
        previous = piece
    return text.strip()


# pieces → a question


@dataclass
class _Reading:
    options: list[str] = field(default_factory=list)
    images: dict[int, list[str]] = field(default_factory=dict)  # option index → its images
    marked: list[int] = field(default_factory=list)
    answer: str | None = None


def _question(block: list[Piece]) -> Question | None:
    head, body = block[0], block[1:]
    title = LABEL.sub("", head.text).strip()
    reading = _Reading()
    prompt: list[Piece] = []
    if title:
        prompt_title, inline = _split_options(title, body)
        prompt.append(Piece(head.line, Kind.TEXT, prompt_title, images=head.images))
        reading.options.extend(inline)
    after: list[Piece] = []
    checkboxes = any(p.kind is Kind.ITEM and CHECKBOX.match(p.text) for p in body)
    for piece in body:
        if piece.kind is Kind.CODE:
            (after if reading.options else prompt).append(piece)
            continue
        if checkboxes and piece.kind is Kind.ITEM and (box := CHECKBOX.match(piece.text)):
            _add_option(reading, box.group(2).strip(), piece.images, right=box.group(1) in "xX")
            continue
        letters = _lettered(piece.text, len(reading.options)) if not checkboxes and not after else None
        if letters:
            for option in letters:
                _add_option(reading, option, piece.images if len(letters) == 1 else [])
            continue
        if reading.options and (answer := ANSWER.match(piece.text)):
            reading.answer = answer.group(1)
            continue
        if NOISE.match(piece.text):
            continue
        if piece.kind is Kind.ITEM:
            piece = Piece(piece.line, Kind.ITEM, f"- {piece.text}", images=piece.images)
        (after if reading.options else prompt).append(piece)
    if not reading.options:
        return None
    question = Question(head.line, _joined(prompt), reading.options, reading.marked, explanation=_joined(after))
    _judge_answer(question, reading)
    question.cautions.extend(_image_cautions(reading, prompt, after, question.prompt))
    return question


def _add_option(reading: _Reading, text: str, images: list[str], *, right: bool = False) -> None:
    if right:
        reading.marked.append(len(reading.options))
    if images:
        reading.images[len(reading.options)] = list(images)
    reading.options.append(text)


def _lettered(text: str, have: int) -> list[str] | None:
    """The option (or options: `A. x B. y` on one line) a line gives when it is the next letter."""
    match = LETTERED.match(text)
    if not match or have >= len(LETTERS) or match.group(1).lower() != LETTERS[have]:
        return None
    return _run_of_letters(match.group(2), have + 1)


def _run_of_letters(text: str, next_index: int) -> list[str]:
    """`x B. y C. z` → [x, y, z] when the letters run on in order; otherwise [text]."""
    out, rest, index = [], text, next_index
    while index < len(LETTERS):
        marker = re.search(rf"\s\(?{LETTERS[index]}[.)]\s+", rest, re.IGNORECASE)
        if not marker:
            break
        out.append(rest[: marker.start()].strip())
        rest, index = rest[marker.end() :], index + 1
    return [*out, rest.strip()]


def _split_options(title: str, body: list[Piece]) -> tuple[str, list[str]]:
    """A question line that carries option A (`Which…? A. Amazon EC2`, the next line `B. …`, or
    every option on the one line): the prompt, and the options it carries."""
    marker = re.search(r"(?:^|\s)\(?A[.)]\s+", title)
    if not marker or marker.start() == 0:
        return title, []
    options = _run_of_letters(title[marker.end() :], 1)
    nxt = next((p for p in body if p.kind in (Kind.TEXT, Kind.ITEM) and p.text.strip()), None)
    follows = nxt is not None and bool(_lettered(nxt.text, len(options)))
    if len(options) < 2 and not follows:
        return title, []
    return title[: marker.start()].strip(), options


def _judge_answer(question: Question, reading: _Reading) -> None:
    if reading.marked or not reading.answer:
        return
    letters = letters_to_indices(reading.answer)
    if letters is None:
        question.problems.append("the answer line names no option letter")
        return
    beyond = [LETTERS[i] for i in letters if i >= len(reading.options)]
    if beyond:
        question.problems.append(f"the answer names option {', '.join(beyond)}, which is not there")
    question.marked = [i for i in letters if i < len(reading.options)]


def _image_cautions(reading: _Reading, prompt: list[Piece], after: list[Piece], prompt_text: str) -> list[str]:
    """Why a question with images needs a person: which options are images, which exhibit it shows."""
    cautions = []
    if reading.images:
        letters = ", ".join(LETTERS[i] if i < len(LETTERS) else str(i + 1) for i in sorted(reading.images))
        paths = ", ".join(src for i in sorted(reading.images) for src in reading.images[i])
        cautions.append(f"option{'s' if len(reading.images) > 1 else ''} {letters} {'are images' if len(reading.images) > 1 else 'is an image'}: {paths}")
    exhibits = [src for piece in prompt for src in piece.images]
    if exhibits:
        cautions.append(f"refers to an exhibit image: {', '.join(exhibits)}")
    elif EXHIBIT.search(prompt_text):
        cautions.append("refers to an exhibit that is not in the source")
    explained = [src for piece in after for src in piece.images]
    if explained:
        cautions.append(f"the explanation shows an image: {', '.join(explained)}")
    return cautions
