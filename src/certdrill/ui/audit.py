"""`bank audit` on screen: a Rich table of the cues and the coverage figures, or the same as plain
lines (NO_COLOR, a pipe, a dumb or narrow terminal). File names and details are shown inert."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from certdrill.bank.audit import Audit, Coverage, Cue, Hit
from certdrill.bank.items import Bank
from certdrill.text import show_controls, strip_controls
from certdrill.ui.console import plain_terminal
from certdrill.ui.render import safe

if TYPE_CHECKING:
    from certdrill.services.banks import AuditReport

SHOWN = 8  # items listed per cue or figure; --json lists them all


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def verdict(cue: Cue, threshold: float, min_items: int) -> str:
    said = cue.verdict(threshold, min_items)
    lead = cue.lead
    if lead is None or said == "no items":
        return said
    hidden = "; in ids or tags, hidden until the answer" if cue.hidden and said == "beats chance" else ""
    return f"{said} ({lead:+.0f} points{hidden})"


def _where(hits: Sequence[Hit]) -> list[str]:
    shown = [strip_controls(h.where) + (f" ({strip_controls(h.detail)})" if h.detail else "") for h in hits[:SHOWN]]
    if len(hits) > SHOWN:
        shown.append(f"… and {len(hits) - SHOWN} more (--json lists all)")
    return shown


def heading(bank: Bank) -> str:
    counts = {kind: sum(1 for i in bank.items if i.type == kind) for kind in ("single", "multi", "truefalse", "flashcard")}
    parts = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)
    return f"Audit of {bank.title}: {len(bank.items)} items ({parts})"


def cue_table(audit: Audit, threshold: float, min_items: int) -> Table:
    table = Table(show_lines=True)
    columns: tuple[tuple[str, JustifyMethod], ...] = (("cue", "left"), ("score", "right"), ("chance", "right"), ("verdict", "left"), ("items", "left"))
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold")
    for cue in audit.cues:
        said = cue.verdict(threshold, min_items)
        style = "bold red" if said == "beats chance" else ("green" if said == "ok" else "dim")
        table.add_row(
            Text(f"{cue.name}\n{cue.label}"),
            f"{_pct(cue.score)} of {cue.considered}",
            _pct(cue.chance),
            Text(verdict(cue, threshold, min_items), style=style),
            safe("\n".join(_where(cue.items))),
        )
    return table


def coverage_lines(cov: Coverage) -> list[tuple[str, Sequence[Hit]]]:
    """Each figure as a sentence and the items behind it."""
    lines: list[tuple[str, Sequence[Hit]]] = [
        (f"Single items whose key is at least 1.5× the longest wrong choice: {cov.outlier_keys} of {cov.single_items} ({_pct(cov.outlier_share)})", ()),
        (f"Wrong choices with a rationale (why): {cov.wrong_with_rationale} of {cov.wrong_choices} ({_pct(cov.rationale_share)})", cov.missing_rationales),
        (f"Items citing an AWS documentation page (docs.aws.amazon.com): {cov.with_aws_docs} of {cov.items} ({_pct(cov.aws_docs_share)})", cov.no_aws_docs),
        (f"Explanations that mention note files: {len(cov.note_mentions)}", cov.note_mentions),
        (f"Items without a checked date: {len(cov.unchecked)}", cov.unchecked),
    ]
    if cov.stale_before is not None:
        lines.append((f"Items checked before {cov.stale_before}: {len(cov.stale)}", cov.stale))
    return lines


def show(console: Console, bank: Bank, audit: Audit, threshold: float, min_items: int) -> None:
    plain = plain_terminal(console)
    console.print(safe(heading(bank), "" if plain else "bold"), soft_wrap=True, markup=False)
    console.print(
        f"A cue beats chance when it scores more than {threshold:g} points above chance over at least {min_items} items.", soft_wrap=True, markup=False
    )
    console.print(
        "Cues in ids and tags count under --strict only with --count-hidden: certdrill shows neither before the answer.", soft_wrap=True, markup=False
    )
    console.print()
    if plain:
        for cue in audit.cues:
            console.print(
                f"{cue.name}: {cue.label}: {_pct(cue.score)} of {cue.considered}, chance {_pct(cue.chance)}: {verdict(cue, threshold, min_items)}",
                soft_wrap=True,
                markup=False,
            )
            for line in _where(cue.items):
                console.print(safe(f"  {line}"), soft_wrap=True, markup=False)
    else:
        console.print(cue_table(audit, threshold, min_items))
    console.print()
    for sentence, hits in coverage_lines(audit.coverage):
        console.print(sentence, soft_wrap=True, markup=False)
        for line in _where(hits):
            console.print(safe(f"  {line}", "" if plain else "dim"), soft_wrap=True, markup=False)


def show_strict(console: Console, report: AuditReport) -> None:
    """Under --strict: each warning, then one `strict:` line per reason the bank fails."""
    for line in report.warnings:
        console.print(show_controls(line), markup=False, highlight=False, soft_wrap=True)
    for cue in report.failing:
        console.print(
            f"strict: {cue.name}, {cue.label}: scores {100 * (cue.score or 0):.0f}% against chance {100 * (cue.chance or 0):.0f}% "
            f"over {cue.considered} items: {cue.lead or 0:+.1f} points, more than {report.threshold:g}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    for line in report.shortfalls:
        console.print(f"strict: built-in bank: {line}", markup=False, highlight=False, soft_wrap=True)
