"""Bank files → parts → a bank: each file validated on its own (a part), then the checks across
files (ids, previous_ids claims, topics, the manifest's weights) over every part together.

A part depends only on its file's path and bytes, so the cache keeps one per file and an edit
re-parses only the file it touched (bank/parts.py); the checks across files run whenever any
part changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from certdrill.bank import loader
from certdrill.bank.items import Bank, Entry, Item, Topic
from certdrill.errors import BankError, CertdrillError, InputError


@dataclass(frozen=True)
class Manifest:
    name: str
    title: str
    description: str
    weights: dict[str, float]
    minutes: float


@dataclass
class Part:
    """One file's share of the bank: what it defines, or what is wrong with it (`problems`).

    `items` are those that passed, also in a file with problems: the checks across files still
    see them (a duplicate id is reported beside the file's own errors, as before parts)."""

    file: str
    problems: list[CertdrillError] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    topic: Topic | None = None
    topic_line: int = 1
    manifest: Manifest | None = None

    def entries(self) -> tuple[Entry, ...]:
        return tuple(Entry.of(item, slot) for slot, item in enumerate(self.items))


@dataclass(frozen=True)
class Summary:
    """A part as the checks across files see it: no item text (read from the cache cheaply)."""

    file: str
    entries: tuple[Entry, ...]
    topic: Topic | None
    topic_line: int
    manifest: Manifest | None
    problems: Sequence[CertdrillError] = ()


def summary(part: Part) -> Summary:
    return Summary(part.file, part.entries(), part.topic, part.topic_line, part.manifest, part.problems)


def build_part(file: Path, blob: bytes, *, manifest: bool) -> Part:
    """The part of one file. A plain file takes the quick reader (bank/quickyaml.py) and is
    checked on its data; a file it leaves, or with any problem, is read again by the full loader,
    so that every message carries its exact line."""
    quick = loader.quick_yaml(file, blob)
    if quick is not None:
        part = _checked(file, *quick, manifest=manifest)
        if not part.problems:
            return part
    try:
        data, lines = loader.parse_yaml(file, blob)
    except InputError as exc:
        return Part(str(file), [exc])
    if controls := loader.control_problems(data, lines, file):
        return Part(str(file), list(controls))
    return _checked(file, data, lines, manifest=manifest)


def _checked(file: Path, data: object, lines: dict[tuple, int], *, manifest: bool) -> Part:
    from pydantic import ValidationError

    from certdrill.bank.schema import ManifestModel, TopicFileModel

    where = str(file)
    if manifest:
        try:
            m = ManifestModel.model_validate(data)
        except ValidationError as exc:
            return Part(where, loader.validation_problems(file, exc, lines))
        return Part(where, manifest=Manifest(m.name, m.title, m.description, dict(m.exam.weights), m.exam.minutes_per_question))
    try:
        t = TopicFileModel.model_validate(data)
    except ValidationError as exc:
        return Part(where, loader.validation_problems(file, exc, lines))
    part = Part(where, topic=Topic(t.topic, t.title, where), topic_line=lines.get(("topic",), 1))
    first_seen: dict[str, Item] = {}
    for index, model in enumerate(t.items):
        path = ("items", index)
        rule_problems = loader.item_rules(model, path, lines, file)
        part.problems.extend(rule_problems)
        line = lines.get((*path, "id"), lines.get(path, 1))
        if model.id in first_seen:
            other = first_seen[model.id]
            part.problems.append(CertdrillError(f"duplicate id {model.id!r} (first defined at {other.file}:{other.line})", file=where, line=line))
            continue
        if rule_problems:
            continue
        item = loader.to_item(model, t.topic, where, line, t.checked)
        first_seen[model.id] = item
        part.items.append(item)
    return part


@dataclass(frozen=True)
class Outline:
    """The bank but its items' text: what the checks across files leave (see `assemble`)."""

    name: str
    title: str
    description: str
    weights: dict[str, float]
    minutes: float
    topics: tuple[Topic, ...]
    entries: tuple[Entry, ...]


def assemble(path: Path, summaries: Sequence[Summary]) -> Outline:
    """The checks across files over every part, in file order; BankError with every problem, the
    files' own first."""
    problems: list[CertdrillError] = []
    name = path.stem if path.is_file() else path.name
    title, description, weights, minutes, manifest_file = name, "", {}, 2.0, None
    entries: list[Entry] = []
    topics: list[Topic] = []
    first_seen: dict[str, Entry] = {}
    topic_seen: dict[str, str] = {}
    for part in summaries:
        problems.extend(part.problems)
        if part.manifest is not None:
            m = part.manifest
            name, title, description, weights, minutes, manifest_file = m.name, m.title, m.description, dict(m.weights), m.minutes, part.file
        if part.topic is None:
            continue
        if part.topic.slug in topic_seen:
            problems.append(CertdrillError(f"topic {part.topic.slug!r} is also defined in {topic_seen[part.topic.slug]}", file=part.file, line=part.topic_line))
        topic_seen[part.topic.slug] = part.file
        topics.append(part.topic)
        for entry in part.entries:
            if entry.id in first_seen:
                other = first_seen[entry.id]
                problems.append(CertdrillError(f"duplicate id {entry.id!r} (first defined at {other.file}:{other.line})", file=entry.file, line=entry.line))
                continue
            first_seen[entry.id] = entry
            entries.append(entry)
    problems.extend(_claims(entries, first_seen))
    problems.extend(CertdrillError(f"exam.weights: unknown topic {topic!r}", file=manifest_file) for topic in weights if topic not in topic_seen)
    if problems:
        raise BankError(problems)
    return Outline(name, title, description, weights, minutes, tuple(topics), tuple(entries))


def _claims(entries: list[Entry], live: dict[str, Entry]) -> list[CertdrillError]:
    """An old id (previous_ids) may be claimed by one item only, and never be a live id."""
    problems: list[CertdrillError] = []
    claimed: dict[str, Entry] = {}
    for entry in entries:
        for old in entry.previous_ids:
            if old in live:
                problems.append(CertdrillError(f"{entry.id}: previous_ids: {old!r} is a live id of another item", file=entry.file, line=entry.line))
            elif old in claimed:
                other = claimed[old]
                message = f"{entry.id}: previous_ids: {old!r} is also claimed by {other.id} ({other.file}:{other.line})"
                problems.append(CertdrillError(message, file=entry.file, line=entry.line))
            claimed.setdefault(old, entry)
    return problems


def build_bank(path: Path, files: Sequence[tuple[Path, bytes]], manifest: Path | None) -> Bank:
    """The bank of these files, parsed and checked here and now (no cache)."""
    parts = [build_part(file, blob, manifest=file == manifest) for file, blob in files]
    outline = assemble(path, [summary(p) for p in parts])
    by_id = {item.id: item for part in parts for item in part.items}
    return bank_of(outline, tuple(by_id[e.id] for e in outline.entries))


def bank_of(outline: Outline, items: tuple[Item, ...] | None = None, shelf=None) -> Bank:
    return Bank(
        name=outline.name,
        title=outline.title,
        items=items,
        topics=outline.topics,
        weights=outline.weights,
        minutes_per_question=outline.minutes,
        description=outline.description,
        shelf=shelf,
    )
