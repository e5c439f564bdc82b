"""A progress document read whole, and the checks and messages a streamed read shares with it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from certdrill.errors import InputError
from certdrill.exchange.controls import ControlRows, control_rows
from certdrill.exchange.jsonpos import json_line
from certdrill.exchange.models import FORMAT, VERSION
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import RATINGS


def parse_progress(text: str, name: str = "<progress>") -> list[Review]:
    return parse_document(text, name)[0]


def parse_document(text: str, name: str = "<progress>") -> tuple[list[Review], ControlRows]:
    """A progress document's reviews, and its undone answers and suspensions as rows."""
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
        raise invalid(error, exc.error_count(), name, json_line(text, tuple(error["loc"]))) from None
    seen: dict[str, tuple] = {}
    reviews = []
    for index, r in enumerate(doc.reviews):
        review = review_of(r)
        key = (review.item_id, review.reviewed_at, review.rating)
        if r.id in seen and seen[r.id] != key:
            raise reused(index, r.id, name, json_line(text, ("reviews", index, "id")))
        seen[r.id] = key
        reviews.append(review)
    return reviews, control_rows(doc)


def check_format(data, text: str, name: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f'not a certdrill progress file (expected "format": "{FORMAT}")', file=name, line=json_line(text, ("format",)))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError("version: must be a whole number", file=name, line=json_line(text, ("version",)))
    if version > VERSION:
        raise InputError(
            f"made by a newer certdrill (format version {version}; this one reads up to {VERSION}): upgrade certdrill to import it",
            file=name,
            line=json_line(text, ("version",)),
        )


def invalid(error: Mapping[str, Any], count: int, name: str, line: int) -> InputError:
    loc = tuple(error["loc"])
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    more = f" (and {count - 1} more)" if count > 1 else ""
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_pattern_mismatch" and "\x00" in str(error.get("ctx", {}).get("pattern", "")):
        message = "contains a control character (names are shown by stats and export)"
    return InputError(f"{field}: {message}{more}", file=name, line=line)


def reused(index: int, rid: str, name: str, line: int) -> InputError:
    return InputError(f"reviews[{index}].id: {rid!r} is used by two different reviews", file=name, line=line)


def review_of(r) -> Review:
    return Review(
        r.id,
        r.item_id,
        r.bank,
        r.reviewed_at,
        RATINGS[r.rating],
        tuple(r.answer) if r.answer is not None else None,
        r.correct,
        r.duration_ms,
        r.kind,
        r.session_id,
    )
