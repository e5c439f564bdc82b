"""Read and validate a progress file; nothing is written unless all of it is valid.

A file in the layout `certdrill export` writes (one review a line) is streamed (see stream.py);
any other valid JSON document is read whole. Errors name the same field and line either way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from certdrill.errors import InputError
from certdrill.exchange.controls import ControlRows
from certdrill.exchange.lines import MAX_BYTES, decode, open_regular, read_rest
from certdrill.exchange.records import Extras
from certdrill.exchange.stream import ReviewStream, export_layout, streamed
from certdrill.exchange.whole import parse_document
from certdrill.schedule.review_log import ReviewRow, review_row


@dataclass(frozen=True)
class Incoming:
    """A progress file's reviews as review rows (`review_row`): checked as they are iterated when
    streamed, so iterate them inside the transaction that stores them (an invalid file raises
    before it commits)."""

    rows: list[ReviewRow] | ReviewStream
    controls: ControlRows = field(default_factory=ControlRows)  # undone answers and suspensions, merged ahead of the reviews
    extras: Extras = field(default_factory=Extras)  # mock exams, settings, parameters: merged after the reviews

    @property
    def count(self) -> int:
        """Reviews read so far."""
        return len(self.rows) if isinstance(self.rows, list) else self.rows.count


def open_progress(path: Path) -> Incoming:
    name = str(path)
    try:
        with open_regular(path) as fh:
            if os.fstat(fh.fileno()).st_size > MAX_BYTES:
                raise InputError("file too large for a progress file", file=name)
            layout = export_layout(fh, name)
            stream = streamed(path, name, layout) if layout is not None else None
            if stream is not None and layout is not None:
                return Incoming(stream, stream.controls, _extras(layout.tail, name, layout.tail_line - 1))
            fh.seek(0)
            raw = read_rest(fh, name, 1, MAX_BYTES)
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a progress file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=name) from None
    text = decode(raw, name)
    reviews, controls = parse_document(text, name)
    return Incoming([review_row(r) for r in reviews], controls, _extras(text, name, 1))


def _extras(text: str, name: str, first_line: int) -> Extras:
    """The document's (or the streamed file's tail's, whose text starts on `first_line`) exams,
    settings and parameters, checked: the first problem named by field and line, as for the reviews."""
    if not any(f'"{key}"' in text for key in ("exams", "settings", "parameters")):
        return Extras()
    from pydantic import ValidationError

    from certdrill.exchange.jsonpos import json_line, loads
    from certdrill.exchange.records import extras_of
    from certdrill.exchange.whole import invalid

    data = loads(text, name, first_line)
    try:
        return extras_of(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise invalid(error, exc.error_count(), name, first_line - 1 + json_line(text, tuple(error["loc"]))) from None
