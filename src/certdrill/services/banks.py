"""Which bank a command works on: the built-in one, or those named with --bank merged into one."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from certdrill import paths
from certdrill.bank.items import Bank, Entry, Item
from certdrill.errors import BankError, CertdrillError, InputError

if TYPE_CHECKING:
    from certdrill.bank.audit import Audit, Cue
    from certdrill.store.store import ItemProgress

Picked = TypeVar("Picked", Item, Entry, Item | Entry)


def load_banks(bank_paths: Sequence[Path] | None) -> Bank:
    """The built-in bank, or the banks named with --bank merged into one.

    The bank lives as long as the command, so it is moved out of the cyclic GC's reach
    (`gc.freeze`): a big bank is hundreds of thousands of objects that every later collection
    would otherwise walk again, a quarter of a second on a 50,000-item bank. The CLI's error
    boundary unfreezes it when the command ends.
    """
    bank = merged_bank(bank_paths)
    gc.freeze()
    return bank


def merged_bank(bank_paths: Sequence[Path] | None) -> Bank:
    """`load_banks` without the freeze: for callers that keep no bank past their own work."""
    from certdrill.bank.open import load_bank

    cache: Path | None = paths.cache_dir()
    if cache is not None and paths.folder_problem(cache) is not None:
        cache = None  # a cache folder that cannot be used (under a file, a name too long): parse the bank instead
    if not bank_paths:
        return load_bank(paths.builtin_bank_dir(), cache_dir=cache)
    banks = [load_bank(p, cache_dir=cache) for p in bank_paths]
    if len(banks) == 1:
        return banks[0]
    seen: dict[str, str] = {}
    for bank in banks:
        for item in bank.items:
            if item.id in seen:
                raise BankError([CertdrillError(f"duplicate id {item.id!r} (also in {seen[item.id]})", file=item.file, line=item.line)])
            seen[item.id] = item.file
    return Bank(
        name="+".join(b.name for b in banks),
        title=" + ".join(b.title for b in banks),
        items=tuple(i for b in banks for i in b.items),
        topics=tuple(t for b in banks for t in b.topics),
        weights={k: v for b in banks for k, v in b.weights.items()},
        minutes_per_question=banks[0].minutes_per_question,
    )


def filter_topics(bank: Bank, topics: Sequence[str] | None) -> list[Item]:
    if not topics:
        return list(bank.items)
    _check_topics(bank, topics)
    return [i for i in bank.items if i.topic in topics]


def topic_entries(bank: Bank, topics: Sequence[str] | None) -> list[Item | Entry]:
    """`filter_topics` over the bank's entries: what a session needs of every item, without its text."""
    if not topics:
        return list(bank.entries)
    _check_topics(bank, topics)
    return [e for e in bank.entries if e.topic in topics]


def _check_topics(bank: Bank, topics: Sequence[str]) -> None:
    known = {t.slug for t in bank.topics}
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise InputError(f"--topic: unknown topic {unknown[0]!r}; known: {', '.join(sorted(known))}")


def pick_items(bank: Bank, items: Sequence[Picked], wanted: Sequence[str], *, flag: str = "--item") -> list[Picked]:
    """The items named with --item (or another `flag`), in the order given; an old id (previous_ids) finds its item."""
    by_id = {i.id: i for i in items}
    renamed = {old: i for i in items for old in i.previous_ids}
    picked: list[Picked] = []
    for item_id in wanted:
        found = by_id.get(item_id) or renamed.get(item_id)
        if found is None:
            where = "in the chosen topics" if len(items) < len(bank.entries) and any(e.id == item_id for e in bank.entries) else f"in {bank.name}"
            hint = _close_ids(item_id, list(by_id))
            raise InputError(f"{flag}: unknown item id {item_id!r} {where}{hint}")
        if found not in picked:
            picked.append(found)
    return picked


def _close_ids(item_id: str, known: list[str]) -> str:
    from difflib import get_close_matches

    close = get_close_matches(item_id, known, n=3)
    return f"; did you mean {', '.join(close)}?" if close else " (certdrill bank list shows the ids)"


@dataclass(frozen=True)
class LintReport:
    """What `bank lint` found: a line per bank checked, every problem, and the verdict."""

    summaries: list[str]
    problems: list[str]
    errors: int
    failed: bool  # a bank did not load

    @property
    def exit_code(self) -> int:
        return 2 if self.failed else 1 if self.errors else 0


def lint_banks(targets: Sequence[Path] | None) -> LintReport:
    """Load and check each bank; also warns about retired items (ids with progress the bank no longer has)."""
    from certdrill.bank.lint import lint_bank
    from certdrill.bank.open import load_bank

    progress = _progress_by_item()
    summaries: list[str] = []
    problems: list[str] = []
    errors_total = 0
    failed = False
    for target in targets or [paths.builtin_bank_dir()]:
        try:
            the_bank = load_bank(target)
        except BankError as exc:
            problems.extend(exc.lines())
            failed = True
            continue
        except CertdrillError as exc:
            problems.append(str(exc))
            failed = True
            continue
        findings = lint_bank(the_bank, progress=_of_bank(progress, the_bank.name), where=str(target))
        errors = sum(1 for f in findings if f.severity == "error")
        errors_total += errors
        problems.extend(str(f) for f in findings)
        warnings = len(findings) - errors
        verdict = (
            "no problems" if not findings else ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"), (warnings, "warning")) if n)
        )
        items, topics = len(the_bank.items), len(the_bank.topics)
        summaries.append(f"{target}: {items} item{'s' if items != 1 else ''} in {topics} topic{'s' if topics != 1 else ''}, {verdict}")
    return LintReport(summaries, problems, errors_total, failed)


def _progress_by_item() -> dict[str, ItemProgress] | None:
    """Progress per item id, or None when there is no readable store (lint works without one)."""
    from certdrill.errors import StoreError

    if not os.path.exists(paths.db_path()):  # False, not an error, for a name too long or a folder it may not enter
        return None
    try:
        from certdrill.store.store import Store

        store = Store.open(paths.db_path(), read_only=True)
        try:
            return store.progress_by_item()
        finally:
            store.close()
    except StoreError:
        return None


def _of_bank(progress: dict[str, ItemProgress] | None, name: str) -> dict[str, int] | None:
    """Reviews per id, counting only items studied as part of this bank."""
    if not progress:
        return None
    return {item_id: p.reviews for item_id, p in progress.items() if name in p.banks}


@dataclass(frozen=True)
class AuditReport:
    """What `bank audit` found, and what --strict makes of it."""

    bank: Bank
    audit: Audit
    failing: list[Cue]  # cues that count against the bank under --strict
    shortfalls: list[str]  # the built-in bank's coverage minimums it misses, as sentences
    warnings: list[str]  # references outside the AWS documentation (built-in bank only)
    threshold: float
    min_items: int
    count_hidden: bool
    strict: bool

    @property
    def passed(self) -> bool:
        return not self.failing and not self.shortfalls

    def to_json(self) -> dict[str, object]:
        return {
            "bank": self.bank.name,
            "title": self.bank.title,
            "items": len(self.bank.items),
            "threshold": self.threshold,
            "min_items": self.min_items,
            "count_hidden": self.count_hidden,
            "strict": self.strict,
            "passed": self.passed,
            "failing": [cue.name for cue in self.failing],
            "cues": [cue.to_json(self.threshold, self.min_items) for cue in self.audit.cues],
            "coverage": self.audit.coverage.to_json(),
            "shortfalls": self.shortfalls,
            "warnings": self.warnings,
        }


def is_builtin(targets: Sequence[Path] | None) -> bool:
    if not targets:
        return True
    builtin = paths.builtin_bank_dir().resolve()
    return all(t.resolve() == builtin or builtin in t.resolve().parents for t in targets)


def audit_banks(targets: Sequence[Path] | None, *, strict: bool, stale_before: str | None, threshold: float, min_items: int, count_hidden: bool) -> AuditReport:
    """Audit the banks as one; under --strict the built-in bank is also held to its coverage minimums."""
    from certdrill.bank.audit import audit, coverage_shortfalls
    from certdrill.bank.lint import reference_findings

    bank = load_banks(targets)
    result = audit(bank, stale_before=stale_before)
    builtin = strict and is_builtin(targets)
    return AuditReport(
        bank=bank,
        audit=result,
        failing=result.failing(threshold, min_items, count_hidden=count_hidden),
        shortfalls=coverage_shortfalls(result.coverage) if builtin else [],
        warnings=[str(f) for f in reference_findings(bank)] if builtin else [],
        threshold=threshold,
        min_items=min_items,
        count_hidden=count_hidden,
        strict=strict,
    )
