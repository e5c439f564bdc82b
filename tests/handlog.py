"""A small review log over the mini bank, written by hand; tests work its figures out by hand too.

The clock is frozen at Monday 2026-11-23 09:00 UTC (see conftest.py).
"""

from datetime import UTC, datetime

from certdrill.schedule.review_log import Review
from certdrill.schedule.scheduler import AGAIN, GOOD


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def rv(rid, item_id, when, rating, correct, ms, answer=(0,)):
    return Review(rid, item_id, "mini", when, rating, answer if correct is not None else None, correct, ms)


LOG = [
    rv("a", "roles-pull", at(19), AGAIN, False, 20_000),  # picked "Task role" for "Task execution role"
    rv("b", "roles-pull", at(21), AGAIN, False, 10_000),  # again
    rv("c", "roles-pull", at(22), GOOD, True, 5_000, (1,)),
    rv("d", "ecr-scan", at(22, 10, 1), AGAIN, False, 15_000),  # picked "Lifecycle policies" for "Image scanning"
    rv("e", "ecr-scan", at(23, 8), GOOD, True, 12_000, (1,)),
    rv("f", "roles-task-role-card", at(23, 8, 1), GOOD, None, 8_000),  # a flashcard: self-rated
    rv("g", "roles-two", at(23, 8, 2), AGAIN, False, None, (0, 2)),  # picked "Instance profile" for "Task execution role"
]
