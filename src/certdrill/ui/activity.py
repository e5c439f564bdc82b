"""A live line on stderr for long work (a big import), so a silent terminal never looks hung."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

from rich.console import Console

from certdrill.text import strip_controls

STEP = 10_000  # rows between updates: a million updates would cost more than the work they show


class Activity:
    """What is being done and how many rows went by; a no-op where stderr is not a terminal."""

    def __init__(self, progress=None, task=None):
        self._progress = progress
        self._task = task

    def counted(self, rows: Iterable) -> Iterator:
        """`rows` unchanged, counted as they are consumed."""
        if self._progress is None:
            yield from rows
            return
        rows = iter(rows)
        while chunk := list(islice(rows, STEP)):
            yield from chunk
            self._progress.advance(self._task, len(chunk))

    def now(self, description: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=strip_controls(description))


@contextmanager
def activity(console: Console, description: str) -> Iterator[Activity]:
    if not console.is_terminal:
        yield Activity()
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), TextColumn("{task.completed:,} reviews"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield Activity(progress, progress.add_task(strip_controls(description), total=None))


@contextmanager
def steps(console: Console, description: str, total: int) -> Iterator[Callable[[int, str], None] | None]:
    """A transient progress bar of `total` steps on a terminal: yields `step(done, what next)`, or None elsewhere."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(description, total=total)

        def step(done: int, what: str) -> None:
            progress.update(task, completed=done, description=what)

        yield step
        progress.update(task, completed=total)
