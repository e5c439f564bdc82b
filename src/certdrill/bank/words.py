"""Small words shared by the loader's checks and the UI, and the words `bank audit` reads choices by."""

import re
from functools import cache

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def count_word(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))


ABSOLUTES = frozenset(
    [
        "always",
        "never",
        "only",
        "all",
        "none",
        "every",
        "everything",
        "nothing",
        "nobody",
        "must",
        "cannot",
        "can't",
        "impossible",
        "guaranteed",
        "completely",
        "entirely",
        "solely",
        "exclusively",
    ]
)
STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "that",
        "this",
        "which",
        "what",
        "from",
        "are",
        "its",
        "can",
        "not",
        "does",
        "you",
        "your",
        "into",
        "when",
        "how",
        "why",
        "who",
        "than",
        "then",
        "they",
        "their",
        "them",
        "there",
        "was",
        "were",
        "has",
        "have",
        "will",
        "would",
        "should",
        "could",
        "each",
        "one",
        "two",
        "three",
        "four",
        "choose",
        "true",
        "false",
        "statement",
        "following",
        "about",
        "also",
        "only",
        "all",
        "none",
        "use",
    ]
)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@cache  # emptied at the end of each audit()
def words(text: str) -> frozenset[str]:
    """Content words, lower case, a plural's s dropped: what "sharing words" compares (cached: each
    choice is read by several cues)."""
    return frozenset(w[:-1] if len(w) > 3 and w[-1] == "s" and w[-2] != "s" else w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in STOPWORDS)


def absolutes_in(text: str) -> list[str]:
    return sorted({w for w in _WORD.findall(text.lower()) if w in ABSOLUTES})
