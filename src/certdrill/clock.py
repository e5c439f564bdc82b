"""The one place that reads the wall clock; CERTDRILL_NOW freezes it."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

from certdrill.errors import InputError


def parse_instant(text: str, *, what: str = "time") -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def now() -> datetime:
    frozen = os.environ.get("CERTDRILL_NOW")
    if frozen:
        return parse_instant(frozen, what="CERTDRILL_NOW")
    return datetime.now(UTC)


def day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    """The local calendar day around `moment`, as aware datetimes."""
    start = moment.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def local_day(moment: datetime) -> date:
    """The local calendar date of `moment`: days, streaks and heatmaps follow the learner's calendar."""
    return moment.astimezone().date()


def local_midnight(day: date) -> datetime:
    """The start of a local calendar day, as an aware datetime (an exam date means that day's morning)."""
    return datetime.combine(day, time()).astimezone()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Whole milliseconds since the epoch, exactly (a float timestamp times 1000 is one short now and then),
    so that `to_ms(from_ms(ms)) == ms` always."""
    return (moment - _EPOCH) // _MS


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
