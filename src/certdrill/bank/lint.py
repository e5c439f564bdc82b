"""Checks beyond loading: things a bank may contain but should not."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from certdrill.bank.items import Bank, Item
from certdrill.text import has_controls, has_markup


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


def _item_texts(item: Item) -> Iterator[tuple[str, str]]:
    yield "prompt", item.prompt
    yield "explanation", item.explanation
    if item.back:
        yield "back", item.back
    for i, choice in enumerate(item.choices):
        yield f"choices[{i}]", choice
        why = item.rationale(i)
        if why:
            yield f"choices[{i}].why", why
    for i, url in enumerate(item.references):
        yield f"references[{i}]", url
    for i, source in enumerate(item.sources):
        yield f"sources[{i}].note", source.note
        if source.quote:
            yield f"sources[{i}].quote", source.quote


def _text_findings(file: str, line: int, label: str, texts: Iterable[tuple[str, str]]) -> Iterator[Finding]:
    for name, value in texts:
        if has_controls(value):
            yield Finding(file, line, f"{label}{name}: contains control characters or escape sequences (they are stripped when shown)")
        elif has_markup(value):
            yield Finding(file, line, f"{label}{name}: looks like Rich markup, which is shown literally, not as styling", "warning")


def lint_bank(bank: Bank, *, progress: Mapping[str, int] | None = None, where: str = "") -> list[Finding]:
    """Control characters or markup in any text, and ids with progress (id → reviews) that vanished."""
    where = where or bank.name
    findings: list[Finding] = []
    findings.extend(_text_findings(where, 0, "", [("title", bank.title), ("description", bank.description)]))
    for topic in bank.topics:
        findings.extend(_text_findings(topic.file, 0, f"topic {topic.slug}: ", [("title", topic.title)]))
    for item in bank.items:
        findings.extend(_text_findings(item.file, item.line, f"{item.id}: ", _item_texts(item)))
    if progress:
        for gone, count in sorted(retired(bank, progress).items()):
            findings.append(
                Finding(
                    where,
                    0,
                    f"id {gone!r} has {count} review{'s' if count != 1 else ''} but is no longer in the bank: it is retired "
                    "(its history is kept and its schedule resumes if it comes back; list its id in previous_ids if it was renamed)",
                    "warning",
                )
            )
    return findings


def retired(bank: Bank, progress: Mapping[str, int]) -> dict[str, int]:
    """Ids with progress that no item of the bank has, now or as a previous id."""
    live = {item.id for item in bank.items}
    live.update(old for item in bank.items for old in item.previous_ids)
    return {item_id: count for item_id, count in progress.items() if item_id not in live}


def reference_findings(bank: Bank) -> list[Finding]:
    """References that are not an http(s) AWS documentation page (docs.aws.amazon.com), as warnings.

    Only the built-in bank's strict audit asks this of its items: other banks may cite any page.
    """
    from certdrill.bank.audit import AWS_DOCS_HOST, is_aws_docs

    return [
        Finding(item.file, item.line, f"{item.id}: references[{n}]: not an AWS documentation page (https://{AWS_DOCS_HOST}/…)", "warning")
        for item in bank.items
        for n, url in enumerate(item.references)
        if not is_aws_docs(url)
    ]
