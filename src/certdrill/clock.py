"""The wall clock (only the CLI reads it; CERTDRILL_NOW freezes it) and the one codec of times:
milliseconds since the epoch (how the store keeps them) and ISO 8601 in UTC (how export writes them)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from certdrill.errors import InputError

# Every date and time certdrill accepts (a review, a card's due date, an exam date, CERTDRILL_NOW)
# lies in these years: far enough from year 1 and 9999 that every computation on it (a due date
# decades on, a 36,500-day interval, local time zones, a streak counted back) stays a real date.
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS = f"{FIRST_YEAR}-{LAST_YEAR}"


def in_range(day: date | datetime) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def check_date(day: date, what: str) -> date:
    """`day` if within the years every command can compute with, else a one-line InputError."""
    if not in_range(day):
        raise InputError(f"{what}: {day.isoformat()} is outside the years {YEARS}")
    return day


def parse_instant(text: str, *, what: str = "time") -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not in_range(value):
        raise InputError(f"{what}: {text.strip()!r} is outside the years {YEARS}")
    return value


def now() -> datetime:
    return frozen() or datetime.now(UTC)


def frozen() -> datetime | None:
    """The instant `CERTDRILL_NOW` freezes the clock at, if it is set."""
    text = os.environ.get("CERTDRILL_NOW")
    return parse_instant(text, what="CERTDRILL_NOW") if text else None


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


_DAY_MS = 86_400_000
_EPOCH_DAY = date(1970, 1, 1).toordinal()


def iso_of_ms(ms: int) -> str:
    """`iso(from_ms(ms))` without building a datetime (an export writes a million of them)."""
    day, rest = divmod(ms, _DAY_MS)
    seconds, milli = divmod(rest, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return f"{_date_of_day(day)}T{hour:02d}:{minute:02d}:{second:02d}.{milli:03d}Z"


def ms_of_iso(text: str) -> int:
    """`to_ms` of a time written as `iso` writes it (2026-11-23T09:00:00.000Z), without building a
    datetime. A time that is no real instant raises ValueError."""
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(text)
    return _day_ms(text[:10]) + ((hour * 60 + minute) * 60 + second) * 1000 + int(text[20:23])


@lru_cache(maxsize=4096)
def _date_of_day(day: int) -> str:
    return date.fromordinal(_EPOCH_DAY + day).isoformat()


@lru_cache(maxsize=8192)
def _day_ms(day: str) -> int:
    return (date.fromisoformat(day).toordinal() - _EPOCH_DAY) * _DAY_MS
