"""Turn what was typed into choice indices, and choices into a verdict and an FSRS rating."""

from __future__ import annotations

from dataclasses import dataclass

from certdrill.bank.items import LETTERS, Item
from certdrill.schedule.scheduler import AGAIN, EASY, GOOD, HARD, Rating


@dataclass(frozen=True)
class Grade:
    correct: bool
    rating: Rating


class AnswerParseError(ValueError):
    """What was typed is not an answer to this question; the UI asks again."""


def parse_letters(text: str, n_choices: int, *, multi: bool) -> tuple[int, ...]:
    """Letters as shown on screen ("b", "a c", "A,C") → display positions, sorted."""
    letters = [ch for ch in text.lower() if not ch.isspace() and ch not in ",;+/"]
    if not letters:
        raise AnswerParseError("type a letter")
    valid = LETTERS[:n_choices]
    bad = [ch for ch in letters if ch not in valid]
    if bad:
        raise AnswerParseError(f"{''.join(bad)!r} is not a choice; type a letter from a to {valid[-1]}")
    positions = sorted({valid.index(ch) for ch in letters})
    if not multi and len(positions) != 1:
        raise AnswerParseError("choose one letter")
    if multi and len(positions) < 2:
        raise AnswerParseError("this question has more than one answer: type all letters, e.g. ac")
    return tuple(positions)


def parse_truefalse(text: str) -> tuple[int, ...]:
    word = text.strip().lower()
    if word in ("a", "t", "true", "y", "yes"):
        return (0,)
    if word in ("b", "f", "false", "n", "no"):
        return (1,)
    raise AnswerParseError("type t (true) or f (false)")


def parse_answer(item: Item, text: str, n_choices: int) -> tuple[int, ...]:
    """What was typed for a multiple-choice item → display positions."""
    if item.type == "truefalse":
        return parse_truefalse(text)
    return parse_letters(text, n_choices, multi=item.type == "multi")


def grade_answer(item: Item, chosen: tuple[int, ...]) -> Grade:
    """All-or-nothing, like the real exam: right → Good, wrong → Again."""
    correct = tuple(sorted(chosen)) == tuple(sorted(item.answer))
    return Grade(correct, GOOD if correct else AGAIN)


FLASHCARD_RATINGS = {
    "1": AGAIN,
    "a": AGAIN,
    "again": AGAIN,
    "2": HARD,
    "h": HARD,
    "hard": HARD,
    "3": GOOD,
    "g": GOOD,
    "good": GOOD,
    "4": EASY,
    "e": EASY,
    "easy": EASY,
}


def parse_self_rating(text: str) -> Rating:
    rating = FLASHCARD_RATINGS.get(text.strip().lower())
    if rating is None:
        raise AnswerParseError("rate 1 again, 2 hard, 3 good, 4 easy")
    return rating


RATING_MARKS = {"?": "h", "!": "e"}  # typed after an answer: `b?` right but hard, `ac!` right and easy


def split_rating_mark(text: str) -> tuple[str, str]:
    """An answer and the Hard/Easy mark typed after it ("b?" → ("b", "h")); "" when unmarked."""
    stripped = text.strip()
    if stripped[-1:] in RATING_MARKS:
        return stripped[:-1], RATING_MARKS[stripped[-1]]
    return stripped, ""


def override_rating(grade: Grade, key: str) -> Rating | None:
    """After a right answer, `h` or `e` turns Good into Hard or Easy; anything else keeps it."""
    if not grade.correct:
        return None
    return {"h": HARD, "e": EASY}.get(key.strip().lower())
