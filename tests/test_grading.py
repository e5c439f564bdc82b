import pytest

from certdrill.bank.open import load_bank
from certdrill.drill.grading import AnswerParseError, grade_answer, override_rating, parse_letters, parse_self_rating, parse_truefalse
from certdrill.schedule.scheduler import AGAIN, EASY, GOOD, HARD


@pytest.fixture
def items(mini):
    return load_bank(mini).by_id()


@pytest.mark.parametrize(
    ("typed", "multi", "positions"), [("b", False, (1,)), (" B ", False, (1,)), ("ac", True, (0, 2)), ("c, a", True, (0, 2)), ("a c", True, (0, 2))]
)
def test_parse_letters(typed, multi, positions):
    assert parse_letters(typed, 4, multi=multi) == positions


@pytest.mark.parametrize(
    ("typed", "multi", "message"),
    [
        ("", False, "type a letter"),
        ("e", False, "not a choice"),
        ("ab", False, "one letter"),
        ("a", True, "more than one answer"),
        ("7", False, "not a choice"),
    ],
)
def test_parse_letters_rejects(typed, multi, message):
    with pytest.raises(AnswerParseError, match=message):
        parse_letters(typed, 4, multi=multi)


def test_single_right_is_good_wrong_is_again(items):
    assert grade_answer(items["roles-pull"], (1,)).rating == GOOD
    assert grade_answer(items["roles-pull"], (0,)).rating == AGAIN


def test_multi_is_all_or_nothing(items):
    item = items["ecr-three"]
    assert grade_answer(item, (0, 1, 2)).correct
    assert not grade_answer(item, (0, 1)).correct
    assert not grade_answer(item, (0, 1, 2, 3)).correct


def test_truefalse(items):
    assert parse_truefalse("f") == (1,)
    assert grade_answer(items["roles-secrets-tf"], parse_truefalse("false")).correct
    assert not grade_answer(items["roles-secrets-tf"], parse_truefalse("t")).correct


def test_override_only_after_a_right_answer(items):
    right = grade_answer(items["roles-pull"], (1,))
    wrong = grade_answer(items["roles-pull"], (2,))
    assert override_rating(right, "h") == HARD
    assert override_rating(right, "e") == EASY
    assert override_rating(right, "") is None
    assert override_rating(wrong, "e") is None


@pytest.mark.parametrize(("typed", "rating"), [("1", AGAIN), ("hard", HARD), ("g", GOOD), ("4", EASY)])
def test_self_rating(typed, rating):
    assert parse_self_rating(typed) == rating


def test_reflow_joins_wrapped_lines_but_keeps_lists_and_paragraphs():
    from certdrill.text import reflow

    text = "A long line\nwrapped here.\n\nSteps:\n- one\n- two\n  indented code\nend"
    assert reflow(text) == "A long line wrapped here.\n\nSteps:\n- one\n- two\n  indented code\nend"
