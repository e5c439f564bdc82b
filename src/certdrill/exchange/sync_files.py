"""The device files of `certdrill sync` (pure: bytes in, records out; no store, no clock).

A shared folder holds `certdrill/<device id>/`, one folder a device. A device appends only to its
own files: `<n>.jsonl` segments (whole lines, one record each), and after compaction a
`<n>.snapshot.jsonl.gz` that stands for every file of that device numbered below n. Each line is
one JSON object whose `record` says what it is:

    {"record":"review", ...a review as a progress file has it}
    {"record":"exam", ...a mock exam (exchange/records.py)}
    {"record":"setting", "key":..., "value":..., "changed_at":..., "device":...}
    {"record":"parameters", "value":{...the optimizer's record} or null, "changed_at":..., "device":...}
    {"record":"undone", ...an undone answer (a tombstone) as a progress file has it}
    {"record":"suspension", ...a suspend or unsuspend event as a progress file has it}

A reader takes what sync tools leave: a last line still being copied (no newline yet) is left for
the next read; a line that is not a record it can check is counted and skipped; a kind of record
it does not know (a newer certdrill's) is counted and skipped; "conflicted copies" of a file are
read like any other (every record is merged by its id, so a copy adds nothing twice).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from certdrill.exchange.records import (
    ExamModel,
    Extras,
    ParametersModel,
    SettingModel,
    exam_json,
    exam_of,
    parameters_json,
    parameters_of,
    setting_json,
    setting_of,
)
from certdrill.schedule.review_log import ReviewRow

FOLDER = "certdrill"
KINDS = ("review", "exam", "setting", "parameters", "undone", "suspension")
SEGMENT = re.compile(r"^(\d{1,9})\.jsonl$")
SNAPSHOT = re.compile(r"^(\d{1,9})\.snapshot\.jsonl\.gz$")
DEVICE = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
MAX_LINE = 16 * 1024 * 1024  # a line longer than this is no record certdrill wrote

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def segment_name(n: int) -> str:
    return f"{n}.jsonl"


def snapshot_name(n: int) -> str:
    return f"{n}.snapshot.jsonl.gz"


def own_number(name: str) -> int | None:
    """The number of one of a device's own files (a segment or a snapshot), or None (a copy a sync tool made, or no device file)."""
    match = SEGMENT.match(name) or SNAPSHOT.match(name)
    return int(match.group(1)) if match else None


def readable(name: str) -> bool:
    """Every file that may hold records: the device's own and the copies sync tools make of them
    (`1 (conflicted copy 2026-12-01).jsonl`, `1.sync-conflict-20261201-101010-ABC.jsonl`,
    `1-DESKTOP.jsonl`); never a hidden or temporary file (a copy in flight)."""
    return not name.startswith((".", "~")) and ".jsonl" in name and name.endswith((".jsonl", ".gz")) and not name.endswith(".tmp")


def covered(name: str, snapshots: Iterable[int]) -> bool:
    """Does a snapshot of this device stand for the file `name` (gone after a compaction)?"""
    number = own_number(name)
    return number is not None and any(number < n for n in snapshots)


def line(kind: str, fields: dict[str, Any]) -> bytes:
    return (_dumps({"record": kind, **fields}) + "\n").encode("utf-8")


def digest(encoded: bytes) -> str:
    """What a record is known by (the same record written by any device is the same line)."""
    return hashlib.blake2b(encoded, digest_size=10).hexdigest()


@dataclass(frozen=True)
class Chunk:
    """The complete lines of some bytes of a device file."""

    lines: list[bytes]
    consumed: int  # bytes up to and including the last newline: where the next read starts
    complete: bool = True  # False: a compressed snapshot still being copied; nothing taken from it


def split_lines(data: bytes, *, compressed: bool = False) -> Chunk:
    """Complete lines only: a last line without its newline is still being written or copied.
    `compressed`: a snapshot (its name ends in .gz), read whole or not at all."""
    if compressed:
        return _snapshot_lines(data)
    end = data.rfind(b"\n") + 1
    return Chunk([piece for piece in data[:end].split(b"\n") if piece.strip()], end)


def _snapshot_lines(data: bytes) -> Chunk:
    """A snapshot is written whole; one not yet whole (a copy in flight) counts for nothing yet."""
    try:
        text = gzip.decompress(data)
    except (EOFError, OSError, zlib.error):
        return Chunk([], 0, complete=False)
    return Chunk([piece for piece in text.split(b"\n") if piece.strip()], len(data))


def compressed(lines: Iterable[bytes]) -> bytes:
    """A snapshot's bytes (fixed mtime: the same records make the same file)."""
    return gzip.compress(b"".join(lines), mtime=0)


@dataclass
class Batch:
    """Records read from device files, checked, each kind ready for its merge."""

    rows: list[ReviewRow] = field(default_factory=list)
    undone: list[tuple] = field(default_factory=list)  # tombstone rows (store/controls.py UndoneRow)
    suspensions: list[tuple] = field(default_factory=list)  # suspension rows
    extras: Extras = field(default_factory=Extras)
    digests: set[str] = field(default_factory=set)  # of every record taken, as `encode` writes it
    damaged: int = 0  # lines that are no record (torn by a crash or a sync tool)
    unknown: int = 0  # records of a kind this certdrill does not know (a newer one wrote them)


def decode(lines: Iterable[bytes], batch: Batch | None = None) -> Batch:
    """Check each line and add the record to `batch`; a line used twice (a conflicted copy) is taken once."""
    from pydantic import ValidationError

    out = batch or Batch()
    seen: set[bytes] = set()
    for raw in lines:
        if raw in seen:
            continue
        seen.add(raw)
        try:
            data = json.loads(raw) if len(raw) <= MAX_LINE else None
        except (ValueError, RecursionError):
            data = None
        kind = data.get("record") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(kind, str):
            out.damaged += 1
            continue
        if kind not in KINDS:
            out.unknown += 1
            continue
        fields = {k: v for k, v in data.items() if k != "record"}
        try:
            out.digests.add(digest(_take(kind, fields, out)))
        except (ValidationError, ValueError, TypeError):
            out.damaged += 1
    return out


def _take(kind: str, fields: dict[str, Any], out: Batch) -> bytes:
    """Validate one record, add it to `out`, and return it as `encode` writes it."""
    if kind == "review":
        row = review_of_fields(fields)
        out.rows.append(row)
        return encode_review(row)
    if kind == "undone":
        tombstone = undone_of_fields(fields)
        out.undone.append(tombstone)
        return encode_undone(tombstone)
    if kind == "suspension":
        event = suspension_of_fields(fields)
        out.suspensions.append(event)
        return encode_suspension(event)
    if kind == "exam":
        exam = exam_of(ExamModel.model_validate(fields))
        out.extras.exams.append(exam)
        return line("exam", exam_json(exam))
    if kind == "setting":
        setting = setting_of(SettingModel.model_validate(fields))
        out.extras.settings.append(setting)
        return line("setting", setting_json(setting))
    parameters = parameters_of(ParametersModel.model_validate(fields))
    out.extras.parameters.append(parameters)
    return line("parameters", parameters_json(parameters))


def review_of_fields(fields: dict[str, Any]) -> ReviewRow:
    from certdrill.exchange.models import ReviewModel
    from certdrill.exchange.whole import review_of
    from certdrill.schedule.review_log import review_row

    return review_row(review_of(ReviewModel.model_validate(fields)))


def encode_review(row: ReviewRow) -> bytes:
    from certdrill.exchange.export import review_json

    return line("review", review_json(tuple(row)))


def undone_of_fields(fields: dict[str, Any]) -> tuple:
    from certdrill.clock import to_ms
    from certdrill.exchange.models import UndoneModel
    from certdrill.exchange.whole import review_of
    from certdrill.schedule.review_log import review_row

    m = UndoneModel.model_validate(fields)
    return (*review_row(review_of(m)), to_ms(m.undone_at))


def suspension_of_fields(fields: dict[str, Any]) -> tuple:
    from certdrill.clock import to_ms
    from certdrill.exchange.models import SuspensionModel

    m = SuspensionModel.model_validate(fields)
    return (m.id, m.item_id, to_ms(m.at), int(m.suspended), m.reason, m.review_id)


def encode_undone(row: tuple) -> bytes:
    from certdrill.exchange.export import undone_json

    return line("undone", undone_json(row))


def encode_suspension(row: tuple) -> bytes:
    from certdrill.exchange.export import suspension_json

    return line("suspension", suspension_json(row))


def encode_extras(extras: Extras) -> list[bytes]:
    return (
        [line("exam", exam_json(e)) for e in extras.exams]
        + [line("setting", setting_json(s)) for s in extras.settings]
        + [line("parameters", parameters_json(p)) for p in extras.parameters]
    )


def compact_lines(lines: Iterable[bytes]) -> list[bytes]:
    """A device's records as its snapshot holds them: each once, a review's greatest copy (as a
    merge keeps it), an exam's versions joined, a setting's and the parameters' latest value."""
    from certdrill.store.synced import joined
    from certdrill.store.writes import row_key

    batch = decode(lines)
    reviews: dict[str, ReviewRow] = {}
    for row in batch.rows:
        old = reviews.get(row.id)
        if old is None or row_key(tuple(row)) > row_key(tuple(old)):
            reviews[row.id] = row
    exams: dict[str, Any] = {}
    for exam in batch.extras.exams:
        exams[exam.uid] = exam if exam.uid not in exams else joined(exams[exam.uid], exam)
    settings: dict[str, Any] = {}
    for setting in batch.extras.settings:
        if setting.key not in settings or setting.stamp > settings[setting.key].stamp:
            settings[setting.key] = setting
    parameters = [max(batch.extras.parameters, key=lambda p: p.stamp)] if batch.extras.parameters else []
    extras = Extras(list(exams.values()), list(settings.values()), parameters)
    controls = [encode_undone(row) for row in _greatest(batch.undone)] + [encode_suspension(row) for row in _greatest(batch.suspensions)]
    return controls + [encode_review(row) for row in sorted(reviews.values(), key=lambda r: (r.reviewed_at, r.id))] + encode_extras(extras)


def _greatest(rows: list[tuple]) -> list[tuple]:
    """One row an id (the first column): the greatest copy, as the store's merge keeps it."""
    from certdrill.store.writes import row_key

    out: dict[str, tuple] = {}
    for row in rows:
        if row[0] not in out or row_key(row) > row_key(out[row[0]]):
            out[row[0]] = row
    return sorted(out.values())
