"""Checks beyond loading: things a bank may contain but should not."""

from __future__ import annotations

from dataclasses import dataclass

from certdrill.bank.items import Bank
from certdrill.text import has_controls


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


def lint_bank(bank: Bank, *, known_ids: set[str] | None = None) -> list[Finding]:
    """Control characters in text, and (given the ids with progress) ids that vanished."""
    findings: list[Finding] = []
    for item in bank.items:
        fields = {"prompt": item.prompt, "explanation": item.explanation, "back": item.back or ""}
        fields.update({f"choices[{i}]": c for i, c in enumerate(item.choices)})
        for name, value in fields.items():
            if has_controls(value):
                findings.append(Finding(item.file, item.line, f"{item.id}: {name}: contains control characters or escape sequences"))
    if known_ids:
        live = {item.id for item in bank.items}
        live.update(old for item in bank.items for old in item.previous_ids)
        for gone in sorted(known_ids - live):
            findings.append(
                Finding(bank.name, 0, f"id {gone!r} has progress but is no longer in the bank (retired; add it to previous_ids if it was renamed)", "warning")
            )
    return findings
