"""`bank import`: read a question list, convert, merge into the topic file, validate, write.

Nothing is written unless the whole bank, with the new topic file in it, passes the same loader
as the built-in bank.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from certdrill.bank.importers import ankitext, csvfile, markdown
from certdrill.bank.importers.convert import Converted, convert
from certdrill.bank.importers.merge import Changes, merge
from certdrill.bank.importers.yamlout import dump_manifest, dump_topic
from certdrill.bank.loader import MANIFEST, MAX_FILE_BYTES, load_bank, parse_yaml
from certdrill.errors import BankError, CertdrillError, InputError

FORMATS = ("markdown", "anki-text", "csv")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class ImportReport:
    source: str
    format: str
    topic_file: Path
    items: list[Converted]
    changes: Changes
    skipped_lines: list[int] = field(default_factory=list)
    manifest_created: bool = False

    @property
    def needs_review(self) -> list[Converted]:
        kept = set(self.changes.kept_reviewed)
        return [c for c in self.items if c.reasons and c.id not in kept]

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "format": self.format,
            "topic_file": str(self.topic_file),
            "items": len(self.items),
            **asdict(self.changes),
            "needs_review": [{"id": c.id, "line": c.line, "reasons": list(c.reasons)} for c in self.needs_review],
            "skipped_lines": self.skipped_lines,
            "manifest_created": self.manifest_created,
        }


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "imported"


def detect_format(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".csv":
        return "csv"
    if ankitext.looks_like(text):
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
        return ankitext.parse(text, str(path)), []
    return csvfile.parse(text, str(path)), []


def import_file(path: Path, out_dir: Path, *, topic: str | None = None, fmt: str | None = None, with_progress: bool = False) -> ImportReport:
    path, out_dir = Path(path), Path(out_dir)
    if path.suffix.lower() in (".apkg", ".colpkg"):  # an Anki package: one topic file per deck
        from certdrill.bank.importers.apkg import import_package

        return import_package(path, out_dir, topic=topic, with_progress=with_progress)
    if with_progress:
        raise InputError("--with-progress: only for an Anki package (.apkg or .colpkg)")
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"--format: unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    text = read_text(path)
    fmt = fmt or detect_format(path, text)
    given_topic, topic = topic, topic or slugify(path.stem)
    if not SLUG.match(topic) or len(topic) > 120:
        raise InputError(f"--topic: {topic!r} is not a slug (lowercase letters, digits and '-')")
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("is a file; give the bank's folder", file=str(out_dir))
    questions, skipped = parse_source(path, text, fmt)
    if not questions:
        raise InputError(f"no questions found in it as {fmt}", file=str(path))
    converted = convert(questions, source=path.name)
    if given_topic is None and any(q.topic for q in questions):  # the source files questions by deck: a topic file each
        return _import_by_topic(path, out_dir, fmt, topic, questions, converted, skipped)
    topic_file = out_dir / f"{topic}.yaml"
    title, existing = _existing(topic_file, default_title=f"Imported from {path.name}")
    merged = merge(existing, converted, source=path.name)
    header = f"Imported by `certdrill bank import` from {path.name}.\nRe-importing updates items in place by id; see docs/bank-format.md."
    topic_text = dump_topic(topic, title, merged.items, header=header)
    manifest = out_dir / MANIFEST
    manifest_text = (
        None
        if manifest.exists()
        else dump_manifest(slugify(out_dir.resolve().name), out_dir.resolve().name, f"Imported with certdrill bank import from {path.name}.")
    )
    _validate(out_dir, topic_file.name, topic_text, manifest_text)
    _write(out_dir, {topic_file.name: topic_text, **({MANIFEST: manifest_text} if manifest_text else {})})
    return ImportReport(
        source=str(path),
        format=fmt,
        topic_file=topic_file,
        items=converted,
        changes=merged.changes,
        skipped_lines=skipped,
        manifest_created=manifest_text is not None,
    )


def _import_by_topic(path: Path, out_dir: Path, fmt: str, default: str, questions: list, converted: list[Converted], skipped: list[int]) -> ImportReport:
    from certdrill.bank.importers.apkg import PackageReport, write_topics

    groups: dict[str, tuple[str, list[Converted]]] = {}
    for question, item in zip(questions, converted, strict=True):
        slug = slugify(question.topic) if question.topic else default
        groups.setdefault(slug, (question.topic or f"Imported from {path.name}", []))[1].append(item)
    changes, manifest_created, _ = write_topics(out_dir, groups, source=path.name)
    topic_files = [out_dir / f"{slug}.yaml" for slug in groups]
    return PackageReport(str(path), fmt, topic_files[0], converted, changes, skipped, manifest_created, topic_files=topic_files)


def _existing(topic_file: Path, *, default_title: str) -> tuple[str, list[dict]]:
    if not topic_file.exists():
        return default_title, []
    data, _ = parse_yaml(topic_file, read_text(topic_file).encode())
    if not isinstance(data, dict) or not isinstance(data.get("items", []), list):
        raise InputError("not a topic file (expected topic, title and items); choose another --topic or -o", file=str(topic_file))
    items = [item for item in data.get("items") or [] if isinstance(item, dict)]
    return str(data.get("title") or default_title), items


def _validate(out_dir: Path, topic_name: str, topic_text: str, manifest_text: str | None) -> None:
    """Load the bank as it would be after the import, in a scratch copy; errors name the real files."""
    with tempfile.TemporaryDirectory(prefix="certdrill-import-") as scratch:
        stage = Path(scratch)
        if out_dir.is_dir():
            for file in out_dir.iterdir():
                if file.suffix in (".yaml", ".yml") and file.is_file() and file.name != topic_name:
                    shutil.copyfile(file, stage / file.name)
        (stage / topic_name).write_text(topic_text, encoding="utf-8")
        if manifest_text is not None:
            (stage / MANIFEST).write_text(manifest_text, encoding="utf-8")
        try:
            load_bank(stage)
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
            target = out_dir / name
            tmp = out_dir / f".{name}.{os.getpid()}.tmp"
            try:
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, target)
            finally:
                tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", file=str(out_dir)) from None
