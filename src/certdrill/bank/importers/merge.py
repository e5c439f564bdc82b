"""Fold a fresh import into the topic file it updates, by id, so progress on the items is kept.

The source is the truth for what it says. What a person added is kept: an explanation where the
source has none, tags, previous_ids, and an item they reviewed (status active) that the source
now gives in a form that needs review. Items from other sources in the same file are untouched;
items from this source that are no longer in it are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from certdrill.bank.importers.convert import NEEDS_REVIEW, Converted, is_placeholder


@dataclass
class Changes:
    """Ids by what the import did to them."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_reviewed: list[str] = field(default_factory=list)


@dataclass
class Merged:
    items: list[dict]
    changes: Changes = field(default_factory=Changes)


def from_source(item: dict, source: str | tuple[str, ...]) -> bool:
    names = source if isinstance(source, tuple) else (source,)
    notes = [str(s.get("note", "")) for s in item.get("sources") or [] if isinstance(s, dict)]
    return any(note.startswith(f"{name}:") for note in notes for name in names)


def merge(existing: Sequence[dict], incoming: Sequence[Converted], *, source: str | tuple[str, ...]) -> Merged:
    fresh = {c.id: c for c in incoming}
    result = Merged(items=[])
    seen = set()
    for old in existing:
        item_id = old.get("id")
        if item_id in fresh and item_id not in seen:
            seen.add(item_id)
            result.items.append(_update(old, fresh[item_id].data, result.changes))
        elif from_source(old, source):
            result.changes.removed.append(str(item_id))
        else:
            result.items.append(old)
    for converted in incoming:
        if converted.id not in seen:
            seen.add(converted.id)
            result.changes.new.append(converted.id)
            result.items.append(converted.data)
    return result


def _update(old: dict, new: dict, changes: Changes) -> dict:
    if old.get("status", "active") == "active" and new.get("status") == NEEDS_REVIEW:
        changes.kept_reviewed.append(old["id"])
        return old
    item = dict(new)
    if is_placeholder(item["explanation"]) and old.get("explanation") and not is_placeholder(str(old["explanation"])):
        item["explanation"] = old["explanation"]
    tags = list(dict.fromkeys([*(old.get("tags") or []), *(new.get("tags") or [])]))
    if tags:
        item = _insert_before(item, "sources", "tags", tags)
    if old.get("previous_ids"):
        item["previous_ids"] = old["previous_ids"]
    (changes.unchanged if item == old else changes.updated).append(old["id"])
    return item


def _insert_before(item: dict, anchor: str, key: str, value) -> dict:
    out = {}
    for k, v in item.items():
        if k == anchor:
            out[key] = value
        if k != key:
            out[k] = v
    return out
