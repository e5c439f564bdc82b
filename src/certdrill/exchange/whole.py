"""A progress document read whole, and the checks and messages a streamed read shares with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certdrill.errors import InputError
from certdrill.exchange.controls import ControlRows, control_rows
from certdrill.exchange.jsonpos import json_line, loads
from certdrill.exchange.models import FORMAT, VERSION
from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import RATINGS

LOC_SHOWN = 8  # a field's path is shown this deep: an error in a value nested 500 levels stays one short line


def parse_progress(text: str, name: str = "<progress>") -> list[Review]:
    return parse_document(text, name)[0]


def parse_document(text: str, name: str = "<progress>") -> tuple[list[Review], ControlRows]:
    """A progress document's reviews, and its undone answers and suspensions as rows."""
    data = loads(text, name)
    check_format(data, text, name)
    from pydantic import ValidationError

    from certdrill.exchange.models import ProgressFile

    try:
        doc = ProgressFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise invalid(error, exc.error_count(), name, json_line(text, tuple(error["loc"]))) from None
    seen: dict[str, tuple[Review, int]] = {}
    reviews = []
    for index, r in enumerate(doc.reviews):
        review = review_of(r)
        first, at = seen.setdefault(r.id, (review, index))
        if first != review:
            raise reused(index, r.id, name, json_line(text, ("reviews", index, "id")), json_line(text, ("reviews", at, "id")))
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
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[:LOC_SHOWN]).lstrip(".")
    field += f"…({len(loc) - LOC_SHOWN} levels more)" if len(loc) > LOC_SHOWN else ""
    more = f" (and {count - 1} more)" if count > 1 else ""
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_unicode":  # Python's parser lets "\ud800" alone through; nothing can store or show it
        message = "not text: a lone surrogate escape (such as \\ud800 without its pair)"
    if error["type"] == "string_pattern_mismatch" and "\x00" in str(error.get("ctx", {}).get("pattern", "")):
        message = "contains a control character (names are shown by stats and export)"
    return InputError(f"{field}: {message}{more}", file=name, line=line)


def reused(index: int, rid: str, name: str, line: int, first_line: int) -> InputError:
    """Two copies of one review id that differ: which one is meant cannot be told (identical copies are one review)."""
    return InputError(f"reviews[{index}].id: review id {rid!r} also on line {first_line} with different values", file=name, line=line)


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
