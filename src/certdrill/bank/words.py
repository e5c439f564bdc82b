"""Small words shared by the loader's checks and the UI."""

NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def count_word(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))
