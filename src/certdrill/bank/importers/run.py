"""`bank import`: read a question list, convert, merge into the topic file, validate, write.

Nothing is written unless the whole bank, with the new topic file in it, passes the same loader
as the built-in bank.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from certdrill.bank.importers import anki_text_reader, csvfile, markdown
from certdrill.bank.importers.across import Folded, fold
from certdrill.bank.importers.convert import Converted, convert
from certdrill.bank.importers.merge import Changes, merge
from certdrill.bank.importers.yamlout import dump_manifest, dump_topic
from certdrill.bank.loader import MANIFEST, MAX_FILE_BYTES, parse_yaml
from certdrill.bank.open import load_bank
from certdrill.errors import BankError, CertdrillError, InputError
from certdrill.files import save_text

FORMATS = ("markdown", "anki-text", "csv")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class ImportReport:
    source: str
    format: str
    topic_file: Path  # the first topic file written
    items: list[Converted]
    changes: Changes
    skipped_lines: list[str] = field(default_factory=list)  # file:line of headings or numbered lines with no options
    manifest_created: bool = False
    topic_files: list[Path] = field(default_factory=list)  # every topic file written (a source with decks writes one per deck)
    bank: str = ""  # the bank's name, as `study` files its reviews
    folded: list[Folded] = field(default_factory=list)  # copies of a question in another file, folded into one item

    @property
    def needs_review(self) -> list[Converted]:
        kept = set(self.changes.kept_reviewed)
        return [c for c in self.items if c.reasons and c.id not in kept]

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "topic_file": str(self.topic_file),
            "topic_files": [str(p) for p in self.topic_files],
            "items": len(self.items),
            **asdict(self.changes),
            "needs_review": [{"id": c.id, "file": c.source, "line": c.line, "reasons": list(c.reasons)} for c in self.needs_review],
            "folded": [f.to_json() for f in self.folded],
            "skipped_lines": self.skipped_lines,
            "manifest_created": self.manifest_created,
        }


@dataclass(frozen=True)
class Written:
    """What `write_topics` wrote."""

    changes: Changes
    manifest_created: bool
    bank: str  # the bank's name after the import
    topic_files: list[Path]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "imported"


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".csv":
        return "csv"
    if anki_text_reader.looks_like(text):
        return "anki-text"
    raise InputError("cannot tell the format; name it with --format (markdown, anki-text or csv)", file=str(path))


def read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"file is larger than {MAX_FILE_BYTES:,} bytes", file=str(path))
        blob = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a folder; give one question file", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    try:
        return blob.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(path), line=blob[: exc.start].count(b"\n") + 1) from None


def parse_source(path: Path, text: str, fmt: str) -> tuple[list, list[int]]:
    if fmt == "markdown":
        return markdown.parse(text)
    if fmt == "anki-text":
        return anki_text_reader.parse(text, str(path)), []
    return csvfile.parse(text, str(path)), []


def check_target(out_dir: Path, topic: str | None) -> None:
    """--topic is a slug, -o a folder (or not there yet): checked before the source is read."""
    if topic is not None and (not SLUG.match(topic) or len(topic) > 120):
        raise InputError(f"--topic: {topic!r} is not a slug (lowercase letters, digits and '-')")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file; give the bank's folder", file=str(out_dir))


def import_file(path: Path, out_dir: Path, *, topic: str | None = None, fmt: str | None = None) -> ImportReport:
    """One question list into the bank folder (see `import_files`)."""
    return import_files([path], out_dir, topic=topic, fmt=fmt)


def import_files(paths: list[Path], out_dir: Path, *, topic: str | None = None, fmt: str | None = None) -> ImportReport:
    """Question lists (Markdown, Anki plain text, CSV) into the bank folder: a topic file each (one
    per deck when the source files its questions by deck), or all in --topic. The same question in
    two files is one item, in the first file's topic (see `across.py`)."""
    paths, out_dir = [Path(p) for p in paths], Path(out_dir)
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    names = [p.name for p in paths]
    for name in {n for n in names if names.count(n) > 1}:
        raise InputError(f"two files are named {name}: the items' sources name files by name; rename one")
    read = []
    for path in paths:
        text = read_text(path)
        file_fmt = fmt or detect_format(path, text)
        check_target(out_dir, topic or slugify(path.stem))
        read.append((path, file_fmt, text))
    parsed = []
    for path, file_fmt, text in read:
        questions, skipped = parse_source(path, text, file_fmt)
        if not questions:
            raise InputError(f"no questions found in it as {file_fmt}", file=str(path))
        parsed.append((path, questions, skipped, convert(questions, source=path.name)))
    kept, folded = fold([converted for *_, converted in parsed])
    groups: dict[str, tuple[str, list[Converted]]] = {}
    for (path, questions, _, converted), keep in zip(parsed, kept, strict=True):
        decks = topic is None and any(q.topic for q in questions)  # the source files questions by deck: a topic file each
        home = {}
        for question, item in zip(questions, converted, strict=True):
            deck = question.topic if decks else None
            home[item.id] = (topic or slugify(deck or path.stem), deck or f"Imported from {path.name}")
        for item in keep:
            slug, title = home[item.id]
            groups.setdefault(slug, (title, []))[1].append(item)
    written = write_topics(out_dir, groups, source=tuple(names))
    items = [c for group in groups.values() for c in group[1]]
    return ImportReport(
        source=", ".join(str(p) for p in paths),
        format=", ".join(dict.fromkeys(f for _, f, _ in read)),
        topic_file=written.topic_files[0],
        items=items,
        changes=written.changes,
        skipped_lines=[f"{path.name}:{line}" for path, _, skipped, _ in parsed for line in skipped],
        manifest_created=written.manifest_created,
        topic_files=written.topic_files,
        bank=written.bank,
        folded=folded,
    )


def write_topics(out_dir: Path, groups: dict[str, tuple[str, list[Converted]]], *, source: str | tuple[str, ...]) -> Written:
    """Merge each topic's items (slug → default title, items) into its topic file, validate the
    whole bank as it would be, then write every file (nothing is written when it fails)."""
    files: dict[str, str] = {}
    changes = Changes()
    names = ", ".join(source) if isinstance(source, tuple) else source
    header = f"Imported by `certdrill bank import` from {names}.\nRe-importing updates items in place by id; see docs/bank-format.md."
    for slug, (default_title, converted) in groups.items():
        topic_file = out_dir / f"{slug}.yaml"
        title, existing = _existing(topic_file, default_title=default_title)
        merged = merge(existing, converted, source=source)
        for key in ("new", "updated", "unchanged", "removed", "kept_reviewed"):
            getattr(changes, key).extend(getattr(merged.changes, key))
        files[topic_file.name] = dump_topic(slug, title, merged.items, header=header)
    manifest_created = not (out_dir / MANIFEST).exists()
    if manifest_created:
        files[MANIFEST] = dump_manifest(slugify(out_dir.resolve().name), out_dir.resolve().name, f"Imported with certdrill bank import from {names}.")
    bank = _validate(out_dir, files)
    _write(out_dir, files)
    return Written(changes, manifest_created, bank, [out_dir / f"{slug}.yaml" for slug in groups])


def _existing(topic_file: Path, *, default_title: str) -> tuple[str, list[dict]]:
    if not topic_file.exists():
        return default_title, []
    data, _ = parse_yaml(topic_file, read_text(topic_file).encode())
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise InputError("not a topic file (expected topic, title and items); choose another --topic or -o", file=str(topic_file))
    items = [item for item in data.get("items") or [] if isinstance(item, dict)]
    return str(data.get("title") or default_title), items


def _validate(out_dir: Path, files: dict[str, str]) -> str:
    """Load the bank as it would be after the import, in a scratch copy (errors name the real
    files); its name."""
    with tempfile.TemporaryDirectory(prefix="certdrill-import-") as scratch:
        stage = Path(scratch) / out_dir.resolve().name
        stage.mkdir()
        if out_dir.is_dir():
            for file in out_dir.iterdir():
                if file.suffix in (".yaml", ".yml") and file.is_file() and file.name not in files:
                    shutil.copyfile(file, stage / file.name)
        for file_name, text in files.items():
            (stage / file_name).write_text(text, encoding="utf-8")
        try:
            return load_bank(stage).name
        except BankError as exc:
            raise BankError([_relocated(p, stage, out_dir) for p in exc.problems]) from None
        except CertdrillError as exc:
            raise _relocated(exc, stage, out_dir) from None


def _relocated(problem: CertdrillError, stage: Path, out_dir: Path) -> CertdrillError:
    file = problem.file
    if file and Path(file).parent == stage:
        file = str(out_dir / Path(file).name)
    return InputError(problem.message.replace(str(stage), str(out_dir)), file=file, line=problem.line)


def _write(out_dir: Path, files: dict[str, str]) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            save_text(out_dir / name, text)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(out_dir)) from None
