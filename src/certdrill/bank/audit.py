"""`certdrill bank audit`: how far a test-wise guesser gets on a bank without knowing anything.

Each cue is a strategy that reads only the shape of a question (the longest choice, always
"False", the choice that echoes the stem…). Its score is the share of the items it applies to
that it gets right, against the share a blind guesser gets on the same items (chance). Ties are
broken at random, so a score is an expectation. An item counts for a cue only where the cue tells
the choices apart (all choices the same length say nothing about the key).

Beside the cues: how well a bank explains itself (rationales on wrong choices, AWS documentation
pages, explanations that cite note files the learner does not have) and how current it is
(`checked` dates). Pure: a Bank in, an Audit out; the CLI prints it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from math import comb
from urllib.parse import urlsplit

from certdrill.bank.cue_limits import DEFAULT_MIN_ITEMS, DEFAULT_THRESHOLD
from certdrill.bank.items import LETTERS, Bank, Item
from certdrill.bank.words import absolutes_in, words

OUTLIER_RATIO = 1.5  # a choice at least this many times longer than every other stands out
AWS_DOCS_HOST = "docs.aws.amazon.com"

# What --strict also asks of the built-in bank (issue 14); other banks stay valid without them.
BUILTIN_MIN_RATIONALES = 0.95
BUILTIN_MIN_AWS_DOCS = 0.95

_ABOVE = re.compile(r"^(?:all|none|both|neither) of (?:the above|these|them|the (?:above|preceding|other) (?:choices|options|answers))\W*$", re.IGNORECASE)
_NOTE_MENTION = re.compile(
    r"\b\d{3}_[0-9a-f]{6,}\.(?:txt|md)\b|\bnotes?\s+#?\d{1,4}\b|\b(?:the|these|our|my) (?:study )?notes?\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Hit:
    """An item a cue answers (or a figure counts), as `file:line`, with what gave it away."""

    item_id: str
    where: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.item_id, "where": self.where, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Cue:
    name: str
    label: str
    considered: int  # items the cue applies to
    hits: float  # the guesser's expected right answers on them
    chance_hits: float  # a blind guesser's
    items: tuple[Hit, ...]  # the items the cue gets right (or may, on a tie)
    hidden: bool = False  # reads what certdrill never shows before the answer (ids, tags)

    @property
    def score(self) -> float | None:
        return self.hits / self.considered if self.considered else None

    @property
    def chance(self) -> float | None:
        return self.chance_hits / self.considered if self.considered else None

    @property
    def lead(self) -> float | None:
        """Points (percentage points) the guesser is above chance."""
        if self.score is None or self.chance is None:
            return None
        return 100.0 * (self.score - self.chance)

    def verdict(self, threshold: float = DEFAULT_THRESHOLD, min_items: int = DEFAULT_MIN_ITEMS) -> str:
        if not self.considered:
            return "no items"
        if self.considered < min_items:
            return "too few items"
        return "beats chance" if self.beats(threshold, min_items) else "ok"

    def beats(self, threshold: float = DEFAULT_THRESHOLD, min_items: int = DEFAULT_MIN_ITEMS) -> bool:
        lead = self.lead
        return lead is not None and self.considered >= min_items and lead > threshold

    def to_json(self, threshold: float, min_items: int) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "considered": self.considered,
            "hits": round(self.hits, 3),
            "score": _round(self.score),
            "chance": _round(self.chance),
            "lead_points": _round(self.lead, 1),
            "verdict": self.verdict(threshold, min_items),
            "hidden": self.hidden,
            "items": [h.to_json() for h in self.items],
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well the bank explains itself and how current it is."""

    items: int
    single_items: int
    outlier_keys: int  # single items whose key is ≥ 1.5× the longest wrong choice
    wrong_choices: int
    wrong_with_rationale: int
    with_aws_docs: int
    missing_rationales: tuple[Hit, ...]  # items with a wrong choice that has no rationale
    no_aws_docs: tuple[Hit, ...]
    note_mentions: tuple[Hit, ...]  # explanations that cite note files
    unchecked: tuple[Hit, ...]  # no checked date
    stale: tuple[Hit, ...]  # checked before stale_before
    stale_before: str | None

    @property
    def rationale_share(self) -> float | None:
        return self.wrong_with_rationale / self.wrong_choices if self.wrong_choices else None

    @property
    def aws_docs_share(self) -> float | None:
        return self.with_aws_docs / self.items if self.items else None

    @property
    def outlier_share(self) -> float | None:
        return self.outlier_keys / self.single_items if self.single_items else None

    def to_json(self) -> dict[str, object]:
        return {
            "items": self.items,
            "single_items": self.single_items,
            "outlier_keys": self.outlier_keys,
            "outlier_share": _round(self.outlier_share),
            "wrong_choices": self.wrong_choices,
            "wrong_with_rationale": self.wrong_with_rationale,
            "rationale_share": _round(self.rationale_share),
            "with_aws_docs": self.with_aws_docs,
            "aws_docs_share": _round(self.aws_docs_share),
            "missing_rationales": [h.to_json() for h in self.missing_rationales],
            "no_aws_docs": [h.to_json() for h in self.no_aws_docs],
            "note_mentions": [h.to_json() for h in self.note_mentions],
            "unchecked": [h.to_json() for h in self.unchecked],
            "stale_before": self.stale_before,
            "stale": [h.to_json() for h in self.stale],
        }


@dataclass(frozen=True, slots=True)
class Audit:
    cues: tuple[Cue, ...]
    coverage: Coverage

    def failing(self, threshold: float = DEFAULT_THRESHOLD, min_items: int = DEFAULT_MIN_ITEMS, *, count_hidden: bool = False) -> list[Cue]:
        """Cues that beat chance; those in ids and tags only where an app shows them before the answer."""
        return [cue for cue in self.cues if cue.beats(threshold, min_items) and (count_hidden or not cue.hidden)]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def where(item: Item) -> str:
    return f"{item.file}:{item.line}" if item.line else item.file


def top_k_hit(scores: Sequence[float], key: Iterable[int]) -> float:
    """The chance that picking the k highest-scoring choices (k = the key's size, ties drawn at
    random) picks exactly the key."""
    key_set = frozenset(key)
    k = len(key_set)
    if not 0 < k <= len(scores):
        return 0.0
    cut = sorted(scores, reverse=True)[k - 1]
    above = {i for i, s in enumerate(scores) if s > cut}
    tied = {i for i, s in enumerate(scores) if s == cut}
    if not above <= key_set or not key_set - above <= tied:
        return 0.0
    return 1.0 / comb(len(tied), k - len(above))


def blind(item: Item) -> float:
    """A blind guesser's chance: 1 / C(n, k)."""
    return 1.0 / comb(len(item.choices), len(item.answer))


def _length(text: str) -> int:
    return len(" ".join(text.split()))


class _Tally:
    def __init__(self) -> None:
        self.considered = 0
        self.hits = 0.0
        self.chance = 0.0
        self.items: list[Hit] = []

    def add(self, item: Item, hit: float, chance: float, detail: str = "") -> None:
        self.considered += 1
        self.hits += hit
        self.chance += chance
        if hit > 0:
            self.items.append(Hit(item.id, where(item), detail))

    def cue(self, name: str, label: str) -> Cue:
        return Cue(name, label, self.considered, self.hits, self.chance, tuple(self.items))


def _scored_cue(name: str, label: str, items: Iterable[Item], score: Callable[[Item], Sequence[float]], detail: Callable[[Item], str] | None = None) -> Cue:
    """A guesser that picks the k choices the score ranks highest, on items where it ranks them apart."""
    tally = _Tally()
    for item in items:
        scores = score(item)
        if len(set(scores)) < 2:
            continue
        hit = top_k_hit(scores, item.answer)
        tally.add(item, hit, blind(item), detail(item) if detail and hit else "")
    return tally.cue(name, label)


def _letters(item: Item, indices: Iterable[int]) -> str:
    return ",".join(LETTERS[i] for i in sorted(indices))


def longest_choice(singles: Sequence[Item]) -> Cue:
    return _scored_cue("longest-choice", "the longest choice (single)", singles, lambda i: [_length(c) for c in i.choices])


def k_longest(multis: Sequence[Item]) -> Cue:
    return _scored_cue("k-longest", "the k longest choices (multi, k = key size)", multis, lambda i: [_length(c) for c in i.choices])


def _outlier(item: Item) -> int | None:
    """The choice at least OUTLIER_RATIO times as long as every other, if there is one."""
    lengths = [_length(c) for c in item.choices]
    ranked = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    if len(ranked) < 2 or lengths[ranked[0]] < OUTLIER_RATIO * max(lengths[ranked[1]], 1):
        return None
    return ranked[0]


def long_outlier(singles: Sequence[Item]) -> Cue:
    tally = _Tally()
    for item in singles:
        outlier = _outlier(item)
        if outlier is not None:
            tally.add(item, 1.0 if (outlier,) == item.answer else 0.0, blind(item))
    return tally.cue("key-1.5x-longest", f"a choice {OUTLIER_RATIO:g}× longer than every other (single)")


def truefalse(items: Sequence[Item], value: bool) -> Cue:
    tally = _Tally()
    for item in items:
        tally.add(item, 1.0 if (item.answer == (0,)) == value else 0.0, 0.5)
    word = "True" if value else "False"
    return tally.cue(f"always-{word.lower()}", f"always {word} (true/false)")


def key_position(singles: Sequence[Item]) -> Cue:
    """Always the same letter, in file order (as exports and printed banks show the choices)."""
    if not singles:
        return _Tally().cue("key-position", "the most common key position (single)")
    counts = Counter(item.answer[0] for item in singles)
    best = min(counts, key=lambda p: (-counts[p], p))
    tally = _Tally()
    for item in singles:
        tally.add(item, 1.0 if item.answer[0] == best else 0.0, blind(item))
    return tally.cue("key-position", f"the most common key position, {LETTERS[best]} (single)")


def stem_overlap(choice_items: Sequence[Item]) -> Cue:
    def score(item: Item) -> list[float]:
        stem = words(item.prompt)
        return [float(len(words(c) & stem)) for c in item.choices]

    return _scored_cue("stem-overlap", "the choice sharing most words with the stem", choice_items, score)


def all_or_none(choice_items: Sequence[Item]) -> Cue:
    return _scored_cue(
        "all-none-of-the-above",
        '"all/none of the above" is the key',
        choice_items,
        lambda i: [1.0 if _ABOVE.match(c.strip()) else 0.0 for c in i.choices],
    )


def absolutes(choice_items: Sequence[Item], truefalse_items: Sequence[Item]) -> Cue:
    """Avoid choices with absolute words; call an absolute true/false statement False."""
    tally = _Tally()
    for item in choice_items:
        flagged = [bool(absolutes_in(c)) for c in item.choices]
        if len(set(flagged)) < 2:
            continue
        hit = top_k_hit([0.0 if f else 1.0 for f in flagged], item.answer)
        words_seen = sorted({w for c in item.choices for w in absolutes_in(c)})
        tally.add(item, hit, blind(item), "avoids: " + ", ".join(words_seen))
    for item in truefalse_items:
        found = absolutes_in(item.prompt)
        if found:
            tally.add(item, 1.0 if item.answer == (1,) else 0.0, 0.5, "False for: " + ", ".join(found))
    return tally.cue("absolute-words", 'no "always/never/only/all/none…" (absolute true/false statements: False)')


def _id_words(item: Item) -> frozenset[str]:
    return words(item.id.replace("-", " "))


def _tag_words(item: Item) -> frozenset[str]:
    return frozenset().union(*(words(re.sub(r"[-._]", " ", tag)) for tag in item.tags))


def names_answer(choice_items: Sequence[Item], naming: Callable[[Item], frozenset[str]], name: str, label: str) -> Cue:
    """Words (of the id, or of the tags) that one choice has and no other: the guesser picks those choices."""
    tally = _Tally()
    for item in choice_items:
        named = naming(item)
        per_choice = [words(c) & named for c in item.choices]
        own = [found - set().union(*(other for j, other in enumerate(per_choice) if j != i)) for i, found in enumerate(per_choice)]
        scores = [float(len(o)) for o in own]
        if not any(scores):
            continue
        hit = top_k_hit(scores, item.answer)
        detail = ", ".join(sorted(set().union(*(own[i] for i in item.answer)))) if hit else ""
        tally.add(item, hit, blind(item), detail)
    return replace(tally.cue(name, label), hidden=True)


def coverage(bank: Bank, stale_before: str | None = None) -> Coverage:
    items = bank.items
    singles = [i for i in items if i.type == "single"]
    wrong = with_why = aws = 0
    missing: list[Hit] = []
    no_docs: list[Hit] = []
    notes: list[Hit] = []
    unchecked: list[Hit] = []
    stale: list[Hit] = []
    for item in items:
        if item.type in ("single", "multi"):
            lacking = [i for i in range(len(item.choices)) if i not in item.answer and not item.rationale(i)]
            wrong_here = len(item.choices) - len(item.answer)
            wrong += wrong_here
            with_why += wrong_here - len(lacking)
            if lacking:
                missing.append(Hit(item.id, where(item), "no why on " + _letters(item, lacking)))
        if any(is_aws_docs(url) for url in item.references):
            aws += 1
        else:
            no_docs.append(Hit(item.id, where(item)))
        cited = _note_mentions(item)
        if cited:
            notes.append(Hit(item.id, where(item), ", ".join(cited)))
        if item.checked is None:
            unchecked.append(Hit(item.id, where(item)))
        elif stale_before is not None and item.checked < stale_before:
            stale.append(Hit(item.id, where(item), item.checked))
    outliers = sum(1 for i in singles if _outlier(i) is not None and (_outlier(i),) == i.answer)
    return Coverage(
        items=len(items),
        single_items=len(singles),
        outlier_keys=outliers,
        wrong_choices=wrong,
        wrong_with_rationale=with_why,
        with_aws_docs=aws,
        missing_rationales=tuple(missing),
        no_aws_docs=tuple(no_docs),
        note_mentions=tuple(notes),
        unchecked=tuple(unchecked),
        stale=tuple(stale),
        stale_before=stale_before,
    )


def is_aws_docs(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and (parts.hostname or "") == AWS_DOCS_HOST


def _note_mentions(item: Item) -> list[str]:
    lower = item.explanation.lower()
    found = [m.group() for m in _NOTE_MENTION.finditer(item.explanation)] if "note" in lower or ".txt" in lower or ".md" in lower else []
    found += [s.note for s in item.sources if len(s.note) >= 5 and s.note in item.explanation and s.note not in found]
    return list(dict.fromkeys(found))


def audit(bank: Bank, *, stale_before: str | None = None) -> Audit:
    """Every cue over the bank's items, and its coverage figures (`stale_before`: an ISO date)."""
    try:
        return _audit(bank, stale_before)
    finally:
        words.cache_clear()


def _audit(bank: Bank, stale_before: str | None) -> Audit:
    singles = [i for i in bank.items if i.type == "single"]
    multis = [i for i in bank.items if i.type == "multi"]
    choice_items = singles + multis
    tf = [i for i in bank.items if i.type == "truefalse"]
    cues = (
        longest_choice(singles),
        long_outlier(singles),
        k_longest(multis),
        truefalse(tf, True),
        truefalse(tf, False),
        key_position(singles),
        stem_overlap(choice_items),
        all_or_none(choice_items),
        absolutes(choice_items, tf),
        names_answer(choice_items, _id_words, "id-names-answer", "an id word found in the key and in no other choice"),
        names_answer(choice_items, _tag_words, "tag-names-answer", "a tag word found in the key and in no other choice"),
    )
    return Audit(cues, coverage(bank, stale_before))


def coverage_shortfalls(cov: Coverage) -> list[str]:
    """What --strict asks of the built-in bank beyond the cues, each as one sentence."""
    problems = []
    share = cov.rationale_share
    if share is not None and share < BUILTIN_MIN_RATIONALES:
        problems.append(f"{share:.0%} of wrong choices have a rationale (at least {BUILTIN_MIN_RATIONALES:.0%} needed)")
    docs = cov.aws_docs_share
    if docs is not None and docs < BUILTIN_MIN_AWS_DOCS:
        problems.append(f"{docs:.0%} of items cite an AWS documentation page (at least {BUILTIN_MIN_AWS_DOCS:.0%} needed)")
    if cov.note_mentions:
        problems.append(f"{len(cov.note_mentions)} explanations mention note files (none allowed)")
    return problems
