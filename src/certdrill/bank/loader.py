"""One bank file's YAML → data, lines and the checks of its items, every problem as file:line: message.

Its guards (size, aliases, nodes, depth, duplicate keys, unsafe tags, control characters) hold for
every file: the quick reader (quickyaml.py) leaves anything unusual to `parse_yaml`. A bank is
opened by open.py, from the cache of each file's part (build.py, parts.py, cache.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import cast

from certdrill.bank.items import LETTERS, TRUE_FALSE, Item, ItemStatus, ItemType, Source
from certdrill.errors import CertdrillError, InputError
from certdrill.text import CONTROL

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ALIASES = 100
MAX_NODES = 300_000  # about what MAX_FILE_BYTES of real bank text holds (~30 nodes a KB)
MAX_DEPTH = 64
MANIFEST = "bank.yaml"

_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_CHOOSE = re.compile(r"\b(?:choose|select|pick)\s+(two|three|four|five|six|\d)\b", re.IGNORECASE)


def expected_count(prompt: str) -> int | None:
    """The number a "(Choose two.)" prompt asks for, if it says one."""
    match = _CHOOSE.search(prompt)
    if not match:
        return None
    word = match.group(1).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


def _read_bytes(file: Path) -> bytes:
    """At most MAX_FILE_BYTES, from a regular file only (a FIFO or a device would block or never end)."""
    try:
        if not file.is_file():
            raise InputError("not a regular file", file=str(file), line=1)
        with open(file, "rb") as fh:
            blob = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(file)) from None
    if len(blob) > MAX_FILE_BYTES:
        raise InputError(f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes; refusing", file=str(file), line=1)
    return blob


def _decode(file: Path, blob: bytes) -> str:
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = blob[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(file), line=line) from None


def quick_yaml(file: Path, blob: bytes) -> tuple[object, dict[tuple, int]] | None:
    """A plain file's data and the lines of its keys and items, read straight from libyaml's
    events (bank/quickyaml.py); None for anything the full loader must read (then `parse_yaml`).

    Control characters are looked for in the whole text at once: a string can only carry one
    that the text holds, or that an escape in a double-quoted scalar makes (a backslash).
    """
    import yaml

    from certdrill.bank.quickyaml import Unusual, quick_load

    if not getattr(yaml, "__with_libyaml__", False) or b"\\" in blob:
        return None
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if CONTROL.search(text.replace("\r\n", "\n")):
        return None
    try:
        return quick_load(text, max_nodes=MAX_NODES, max_depth=MAX_DEPTH)
    except (Unusual, RecursionError):
        return None


def parse_yaml(file: Path, blob: bytes) -> tuple[object, dict[tuple, int]]:
    """Safe-load one YAML document and map each node path to its 1-based line.

    libyaml (when PyYAML has it) parses about fifteen times faster, but its composer cannot be
    hooked to count aliases; a file without any `&` has no anchors, so no aliases, and takes
    that path. Anything it refuses is parsed again by the guarded pure-Python loader, whose
    messages are the ones users see.
    """
    import yaml

    text = _decode(file, blob)
    if getattr(yaml, "__with_libyaml__", False) and b"&" not in blob:
        try:
            return _load(yaml.CSafeLoader(text), file)
        except (InputError, yaml.YAMLError, RecursionError):
            pass

    class Loader(yaml.SafeLoader):
        aliases = 0
        depth = 0

        def compose_node(self, parent, index):
            mark = self.peek_event().start_mark
            if self.check_event(yaml.AliasEvent):
                Loader.aliases += 1
                if Loader.aliases > MAX_ALIASES:
                    raise InputError(f"more than {MAX_ALIASES} YAML aliases; refusing (possible alias bomb)", file=str(file), line=mark.line + 1)
            Loader.depth += 1
            try:
                if Loader.depth > MAX_DEPTH:
                    raise InputError(f"YAML nested more than {MAX_DEPTH} levels deep; refusing", file=str(file), line=mark.line + 1)
                return super().compose_node(parent, index)
            finally:
                Loader.depth -= 1

    try:
        loader = Loader(text)
    except yaml.reader.ReaderError as exc:
        raise InputError(_reader_problem(exc), file=str(file), line=text.count("\n", 0, exc.position) + 1) from None
    try:
        return _load(loader, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if "could not determine a constructor" in str(exc):
            problem = f"unsafe or unknown YAML tag refused: {exc.problem.split('tag ')[-1] if exc.problem else ''}".strip()
        raise InputError(problem, file=str(file), line=where) from None
    except yaml.reader.ReaderError as exc:
        raise InputError(_reader_problem(exc), file=str(file), line=text.count("\n", 0, exc.position) + 1) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=str(file), line=1) from None
    except RecursionError:
        raise InputError("YAML aliases nest too deeply once expanded; refusing", file=str(file), line=1) from None


def _load(loader, file: Path) -> tuple[object, dict[tuple, int]]:
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError("the file is empty", file=str(file), line=1)
        lines: dict[tuple, int] = {}
        _map_lines(node, (), lines, [0], file, set())
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _reader_problem(exc) -> str:
    if isinstance(exc.character, int):
        return f"control character U+{exc.character:04X} is not allowed in YAML (write it as an escape, or remove it)"
    return f"invalid YAML: {exc.reason}"


def _map_lines(node, path: tuple, lines: dict[tuple, int], count: list[int], file: Path, ancestors: set[int]) -> None:
    """Walks aliases as expanded, so the node limit also bounds what validation would walk."""
    import yaml

    count[0] += 1
    line = node.start_mark.line + 1
    if count[0] > MAX_NODES:
        raise InputError(f"more than {MAX_NODES:,} YAML nodes once aliases are expanded; refusing (alias bomb or oversized file)", file=str(file), line=line)
    if len(path) >= MAX_DEPTH:  # the guarded loader refuses this while composing; libyaml's is sent back to it
        raise InputError(f"YAML nested more than {MAX_DEPTH} levels deep; refusing", file=str(file), line=line)
    if id(node) in ancestors:
        raise InputError("a YAML alias refers to a node that contains it; refusing (recursive alias)", file=str(file), line=line)
    lines.setdefault(path, line)
    ancestors.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            if key in seen:
                raise InputError(f"duplicate key {key!r}", file=str(file), line=key_node.start_mark.line + 1)
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _map_lines(value_node, (*path, key), lines, count, file, ancestors)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _map_lines(child, (*path, index), lines, count, file, ancestors)
    ancestors.discard(id(node))


def control_problems(data: object, lines: dict[tuple, int], file: Path) -> list[CertdrillError]:
    """Every string in the file (keys too) that carries a control character, as file:line: field.

    Such text could rewrite a terminal (ESC, C1, OSC), reorder what is shown (bidi overrides) or
    split a line (CR, U+2028): a bank carrying it does not load. Tab and newline are text.
    """
    problems: list[CertdrillError] = []
    stack: list[tuple[tuple, object]] = [((), data)]
    while stack:
        path, value = stack.pop()
        texts: list[tuple[tuple, object]] = []
        if isinstance(value, dict):
            for key, child in value.items():
                texts.append(((*path, key), key))
                stack.append(((*path, key), child))
        elif isinstance(value, list):
            stack.extend(((*path, index), child) for index, child in enumerate(value))
        else:
            texts.append((path, value))
        for where, text in texts:
            if isinstance(text, str) and (found := CONTROL.search(text.replace("\r\n", "\n"))):
                field = _field_name(data, where)
                message = f"{field}: contains control character U+{ord(found.group()):04X}: bank text may not carry escape sequences or controls"
                problems.append(CertdrillError(message, file=str(file), line=yaml_line(lines, where)))
    return sorted(problems, key=lambda p: p.line or 0)


def _field_name(data: object, path: tuple) -> str:
    """`x: choices[1].why` for an item's field (as lint names it), else the dotted path."""
    if len(path) >= 2 and path[0] == "items" and isinstance(data, dict) and isinstance(path[1], int):
        items = data.get("items")
        item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[2:]).lstrip(".")
        if isinstance(item_id, str) and rest != "id":
            return f"{CONTROL.sub('', item_id)}: {rest}"
        return f"items[{path[1]}].{rest}" if rest else f"items[{path[1]}]"
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "file"


def yaml_line(lines: dict[tuple, int], loc: tuple) -> int:
    """The line of the longest known prefix of a pydantic error location."""
    for cut in range(len(loc), -1, -1):
        if tuple(loc[:cut]) in lines:
            return lines[tuple(loc[:cut])]
    return 1


def validation_problems(file: Path, exc, lines: dict[tuple, int]) -> list[CertdrillError]:
    problems = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if not isinstance(part, str) or not part.startswith(("function-", "literal[")))
        loc = tuple(p for p in loc if p not in ("str", "bool", "list[str]", "constrained-str"))
        field = ".".join(str(p) for p in loc) or "file"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "required field is missing"
        problems.append(CertdrillError(f"{field}: {message}", file=str(file), line=yaml_line(lines, loc)))
    return problems


def item_rules(model, path: tuple, lines, file: Path) -> list[CertdrillError]:
    """Type-specific rules that pydantic's field checks cannot express."""
    problems: list[CertdrillError] = []

    def bad(field: str, message: str) -> None:
        problems.append(CertdrillError(f"{model.id}: {field}: {message}", file=str(file), line=yaml_line(lines, (*path, field))))

    if model.type in ("single", "multi"):
        choices = [choice_text(choice) for choice in model.choices or []]
        if len(choices) < 2:
            bad("choices", f"a {model.type} item needs at least 2 choices")
        if len(choices) > len(LETTERS):
            bad("choices", f"at most {len(LETTERS)} choices")
        seen = set()
        for choice in choices:
            if choice.casefold() in seen:
                bad("choices", f"duplicate choice {choice!r}")
            seen.add(choice.casefold())
        answer = model.answer
        letters = [answer] if isinstance(answer, str) else answer if isinstance(answer, list) else None
        if letters is None or not letters:
            bad(
                "answer",
                "give the right choice as a letter (e.g. b)" if model.type == "single" else "give the right choices as a list of letters (e.g. [a, c])",
            )
        else:
            normal = [str(letter).strip().lower() for letter in letters]
            last = LETTERS[min(max(len(choices), 1), len(LETTERS)) - 1]  # 9 choices or more are refused above
            for letter in normal:
                if len(letter) != 1 or letter not in LETTERS[: len(choices)]:
                    bad("answer", f"{letter!r} is not one of the choice letters a-{last}")
            if len(set(normal)) != len(normal):
                bad("answer", "a letter is repeated")
            if model.type == "single" and len(normal) != 1:
                bad("answer", f"a single-answer item has exactly one answer, got {len(normal)}")
            if model.type == "multi":
                if len(normal) < 2:
                    bad("answer", "a multi item has at least two answers; use type: single for one")
                want = expected_count(model.prompt)
                if want is not None and want != len(normal):
                    bad("answer", f"the prompt asks to choose {want} but the key has {len(normal)}")
                if len(choices) and len(normal) >= len(choices):
                    bad("answer", "every choice is marked right")
        if model.back is not None:
            bad("back", "only flashcards have a back")
    elif model.type == "truefalse":
        if model.choices is not None:
            bad("choices", "a truefalse item takes no choices")
        if not isinstance(model.answer, bool):
            bad("answer", "a truefalse item needs answer: true or answer: false")
        if model.back is not None:
            bad("back", "only flashcards have a back")
    else:
        if model.choices is not None:
            bad("choices", "a flashcard takes no choices")
        if model.answer is not None:
            bad("answer", "a flashcard takes no answer; put it in back")
        if not model.back:
            bad("back", "a flashcard needs a back")
    return problems


def choice_text(choice) -> str:
    return choice if isinstance(choice, str) else choice.text


def to_item(model, topic: str, file: str, line: int, checked=None) -> Item:
    """Repeated strings are shared (interned, one file name a file): the bank cache then stores each once."""
    rationales: tuple[str | None, ...] = ()
    if model.type in ("single", "multi"):
        choices = tuple(choice_text(choice) for choice in model.choices or ())
        whys = tuple(None if isinstance(choice, str) else choice.why for choice in model.choices or ())
        rationales = whys if any(whys) else ()
        letters = [model.answer] if isinstance(model.answer, str) else list(model.answer)
        answer = tuple(sorted(LETTERS.index(str(x).strip().lower()) for x in letters))
    elif model.type == "truefalse":
        choices = TRUE_FALSE
        answer = (0,) if model.answer else (1,)
    else:
        choices, answer = (), ()
    return Item(
        id=model.id,
        type=cast(ItemType, sys.intern(model.type)),
        topic=topic,
        prompt=model.prompt,
        choices=choices,
        answer=answer,
        explanation=model.explanation,
        back=model.back,
        tags=tuple(map(sys.intern, model.tags)),
        sources=tuple(Source(sys.intern(s.note), s.quote) for s in model.sources),
        status=cast(ItemStatus, sys.intern(model.status)),
        previous_ids=tuple(model.previous_ids),
        file=file,
        line=line,
        rationales=rationales,
        references=tuple(model.references),
        checked=(model.checked or checked).isoformat() if (model.checked or checked) else None,
    )
