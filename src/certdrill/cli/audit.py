"""`certdrill bank audit`: load, audit, print, and under --strict decide the exit code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from certdrill import paths
from certdrill.cli.common import check_range, err_console, load_banks, out_console
from certdrill.errors import InputError
from certdrill.text import json_controls, show_controls


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(f"--stale-before: {value!r} is not a date (YYYY-MM-DD)") from None


def is_builtin(targets: list[Path] | None) -> bool:
    if not targets:
        return True
    builtin = paths.builtin_bank_dir().resolve()
    return all(t.resolve() == builtin or builtin in t.resolve().parents for t in targets)


def run_audit(
    targets: list[Path] | None, *, as_json: bool, strict: bool, stale_before: str | None, threshold: float, min_items: int, count_hidden: bool = False
) -> None:
    from certdrill.bank.audit import audit, coverage_shortfalls
    from certdrill.bank.lint import reference_findings

    check_range("--threshold", threshold, 0, 100)
    check_range("--min-items", min_items, 1, 1_000_000)
    before = _date(stale_before)
    bank = load_banks(targets)
    result = audit(bank, stale_before=before)
    failing = result.failing(threshold, min_items, count_hidden=count_hidden)
    builtin = strict and is_builtin(targets)
    shortfalls = coverage_shortfalls(result.coverage) if builtin else []
    warnings = [str(f) for f in reference_findings(bank)] if builtin else []
    passed = not failing and not shortfalls
    if as_json:
        out = {
            "bank": bank.name,
            "title": bank.title,
            "items": len(bank.items),
            "threshold": threshold,
            "min_items": min_items,
            "count_hidden": count_hidden,
            "strict": strict,
            "passed": passed,
            "failing": [cue.name for cue in failing],
            "cues": [cue.to_json(threshold, min_items) for cue in result.cues],
            "coverage": result.coverage.to_json(),
            "shortfalls": shortfalls,
            "warnings": warnings,
        }
        typer.echo(json_controls(json.dumps(out, ensure_ascii=False, indent=1)))
    else:
        from certdrill.ui.audit import show

        show(out_console(), bank, result, threshold, min_items)
    if not strict:
        return
    console = err_console()
    for line in warnings:
        console.print(show_controls(line), markup=False, highlight=False)
    for cue in failing:
        console.print(
            f"strict: {cue.name}, {cue.label}: scores {100 * (cue.score or 0):.0f}% against chance {100 * (cue.chance or 0):.0f}% "
            f"over {cue.considered} items: {cue.lead:+.1f} points, more than {threshold:g}",
            markup=False,
            highlight=False,
        )
    for line in shortfalls:
        console.print(f"strict: built-in bank: {line}", markup=False, highlight=False)
    if not passed:
        raise typer.Exit(1)
