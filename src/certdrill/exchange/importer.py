"""Read and validate a progress file; nothing is written unless all of it is valid.

A file in the layout `certdrill export` writes (one review a line) is streamed (see stream.py);
any other valid JSON document is read whole. Errors name the same field and line either way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from certdrill.errors import InputError
from certdrill.exchange.jsonpos import line_of
from certdrill.exchange.models import FORMAT, VERSION
from certdrill.schedule.review_log import Review, review_row

MAX_BYTES = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True)
class Incoming:
    """A progress file's reviews as review rows (`review_row`): checked as they are iterated when
    streamed, so iterate them inside the transaction that stores them (an invalid file raises
    before it commits)."""

    rows: Iterable[tuple]

    @property
    def count(self) -> int:
        """Reviews read so far."""
        return len(self.rows) if isinstance(self.rows, list) else self.rows.count


def open_progress(path: Path) -> Incoming:
    from certdrill.exchange.stream import export_layout, streamed

    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError("file too large for a progress file", file=name)
        layout = export_layout(path)
        stream = streamed(path, name, layout) if layout is not None else None
        if stream is not None:
            return Incoming(stream)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a progress file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    return Incoming([review_row(r) for r in _whole(raw, name)])


def _whole(raw: bytes, name: str) -> list[Review]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=name, line=raw[: exc.start].count(b"\n") + 1) from None
    return parse_progress(text, name)


def parse_progress(text: str, name: str = "<progress>") -> list[Review]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=name, line=exc.lineno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=name) from None
    check_format(data, text, name)
    from pydantic import ValidationError

    from certdrill.exchange.models import ProgressFile

    try:
        doc = ProgressFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise invalid(error, exc.error_count(), name, line_of(text, tuple(error["loc"]))) from None
    seen: dict[str, tuple] = {}
    reviews = []
    for index, r in enumerate(doc.reviews):
        review = review_of(r)
        key = (review.item_id, review.reviewed_at, review.rating)
        if r.id in seen and seen[r.id] != key:
            raise reused(index, r.id, name, line_of(text, ("reviews", index, "id")))
        seen[r.id] = key
        reviews.append(review)
    return reviews


def check_format(data, text: str, name: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f'not a certdrill progress file (expected "format": "{FORMAT}")', file=name, line=line_of(text, ("format",)))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError("version: must be a whole number", file=name, line=line_of(text, ("version",)))
    if version > VERSION:
        raise InputError(
            f"made by a newer certdrill (format version {version}; this one reads up to {VERSION}): upgrade certdrill to import it",
            file=name,
            line=line_of(text, ("version",)),
        )


def invalid(error: dict, count: int, name: str, line: int) -> InputError:
    loc = tuple(error["loc"])
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    more = f" (and {count - 1} more)" if count > 1 else ""
    return InputError(f"{field}: {error['msg']}{more}", file=name, line=line)


def reused(index: int, rid: str, name: str, line: int) -> InputError:
    return InputError(f"reviews[{index}].id: {rid!r} is used by two different reviews", file=name, line=line)


def review_of(r) -> Review:
    return Review(
        r.id, r.item_id, r.bank, r.reviewed_at, r.rating, tuple(r.answer) if r.answer is not None else None, r.correct, r.duration_ms, r.kind, r.session_id
    )
