"""Several question files into one bank folder: the same question in two files is one item.

Two copies are the same question when they get the same id (the same prompt, ignoring case,
spacing and emphasis). The first copy is kept, in its file's topic, and names every place it was
found in its `sources`; when a later copy marks a different key, the item is marked `needs-review`
with a reason naming both places and what each marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from certdrill.bank.importers.convert import Converted, is_placeholder, needing_review
from certdrill.bank.items import LETTERS


@dataclass(frozen=True)
class Folded:
    """A copy of a question found in another file, folded into the item kept."""

    id: str
    copy: str  # file:line of the copy
    kept: str  # file:line of the item it was folded into
    conflict: bool  # the copy marks a different key

    def to_json(self) -> dict:
        return {"id": self.id, "copy": self.copy, "kept": self.kept, "conflict": self.conflict}


def key_of(data: dict) -> tuple:
    """What a question marks right, by the text of the choices (their order does not matter)."""
    kind = data["type"]
    if kind in ("single", "multi"):
        answers = data["answer"] if isinstance(data["answer"], list) else [data["answer"]]
        return ("choices", sorted(data["choices"][LETTERS.index(a)].casefold() for a in answers))
    if kind == "truefalse":
        return ("truefalse", data["answer"])
    return ("back", " ".join(str(data.get("back", "")).casefold().split()))


def describe(data: dict) -> str:
    """The key as the source words it: 'EC2' + 'Fargate'."""
    kind = data["type"]
    if kind in ("single", "multi"):
        answers = data["answer"] if isinstance(data["answer"], list) else [data["answer"]]
        return " + ".join(repr(data["choices"][LETTERS.index(a)]) for a in answers)
    if kind == "truefalse":
        return "true" if data["answer"] else "false"
    return "no key it can trust" if data.get("status") else repr(" ".join(str(data.get("back", "")).split())[:80])


def fold(files: Sequence[list[Converted]]) -> tuple[list[list[Converted]], list[Folded]]:
    """Each file's items without the copies of questions an earlier file already gave; the kept
    items carry the copies' places (and a conflict as a needs-review reason)."""
    kept: dict[str, tuple[int, int]] = {}  # id → (file index, item index)
    out: list[list[Converted]] = [list(items) for items in files]
    folded: list[Folded] = []
    for file_index, items in enumerate(files):
        remaining: list[Converted] = []
        for item in items:
            if item.id not in kept:
                kept[item.id] = (file_index, len(remaining))
                remaining.append(item)
                continue
            at = kept[item.id]
            target = out[at[0]][at[1]] if at[0] != file_index else remaining[at[1]]
            merged, conflict = _fold_one(target, item)
            if at[0] == file_index:
                remaining[at[1]] = merged
            else:
                out[at[0]][at[1]] = merged
            folded.append(Folded(item.id, item.where, target.where, conflict))
        out[file_index] = remaining
    return out, folded


def _fold_one(kept: Converted, copy: Converted) -> tuple[Converted, bool]:
    data = dict(kept.data)
    data["sources"] = [*data["sources"], {"note": copy.where}]
    if is_placeholder(str(data.get("explanation", ""))) and not is_placeholder(str(copy.data.get("explanation", ""))):
        data["explanation"] = copy.data["explanation"]
    if key_of(kept.data) == key_of(copy.data):
        return replace(kept, data=data), False
    reason = f"the key differs between files: {kept.where} marks {describe(kept.data)}, {copy.where} marks {describe(copy.data)}"
    return replace(kept, data=needing_review(data), reasons=(*kept.reasons, reason)), True
