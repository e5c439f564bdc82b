"""Typer options more than one command takes, and the check every number flag gets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from certdrill.errors import InputError

BankPaths = Annotated[list[Path] | None, typer.Option("--bank", "-b", help="Bank folder or topic file instead of the built-in bank (repeatable).")]
Topics = Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only items of this topic (repeatable).")]
Seed = Annotated[int | None, typer.Option("--seed", help="Seed for shuffling choices and mixing new items (repeatable sessions).")]
Unreviewed = Annotated[bool, typer.Option("--include-unreviewed", help="Also ask items marked status: needs-review.")]
ItemIds = Annotated[list[str] | None, typer.Option("--item", "-i", help="Ask exactly this item, due or not (repeatable).")]
ExamDate = Annotated[
    str | None,
    typer.Option("--exam-date", metavar="YYYY-MM-DD", help="Exam date for this run ('none': ignore the configured one); default from config."),
]


def check_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:
        raise InputError(f"{name}: {value} is out of range ({low} to {high})")
