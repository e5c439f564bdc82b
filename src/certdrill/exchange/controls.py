"""Undone answers and suspensions in a progress file: written before the reviews, read as rows the
store merges ahead of them (see schedule/controls.py for why they are events)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from certdrill.clock import to_ms

UndoneRow = tuple  # a review row's values, then undone_at (ms since the epoch)
SuspensionRow = tuple  # (id, item_id, at ms, suspended 0/1, reason, review_id)


@dataclass(frozen=True)
class ControlRows:
    """What a progress file says besides its reviews, as rows for `Store.merge_rows`."""

    undone: list[UndoneRow] = field(default_factory=list)
    suspensions: list[SuspensionRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.undone or self.suspensions)


def control_rows(doc: Any) -> ControlRows:
    """The rows of a validated `ProgressFile`'s `undone` and `suspensions`."""
    from certdrill.schedule.review_log import Review, review_row
    from certdrill.schedule.scheduler import RATINGS

    undone = [
        (
            *review_row(
                Review(
                    u.id,
                    u.item_id,
                    u.bank,
                    u.reviewed_at,
                    RATINGS[u.rating],
                    None if u.answer is None else tuple(u.answer),
                    u.correct,
                    u.duration_ms,
                    u.kind,
                    u.session_id,
                )
            ),
            to_ms(u.undone_at),
        )
        for u in doc.undone
    ]
    suspensions = [(s.id, s.item_id, to_ms(s.at), int(s.suspended), s.reason, s.review_id) for s in doc.suspensions]
    return ControlRows(undone, suspensions)


def control_rows_of_head(head: Mapping[str, Any]) -> ControlRows:
    """From a streamed file's head: its rows, or none when the head is invalid (the stream then
    raises the error at its end, inside the transaction, so nothing is written)."""
    from pydantic import TypeAdapter, ValidationError

    from certdrill.exchange.models import SuspensionModel, UndoneModel

    if not head.get("undone") and not head.get("suspensions"):
        return ControlRows()
    try:
        undone = TypeAdapter(list[UndoneModel]).validate_python(head.get("undone", []))
        suspensions = TypeAdapter(list[SuspensionModel]).validate_python(head.get("suspensions", []))
    except ValidationError:
        return ControlRows()
    return control_rows(_Doc(undone, suspensions))


@dataclass(frozen=True)
class _Doc:
    undone: list
    suspensions: list
