import json
import os
import re
import time
from pathlib import Path

import pytest

from certdrill.bank import loader
from certdrill.bank.loader import expected_count
from certdrill.bank.open import load_bank
from certdrill.errors import BankError, InputError
from support import ITEM


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(BankError) as info:
        load_bank(folder)
    return info.value.lines()


def test_mini_bank_loads_every_type(mini):
    bank = load_bank(mini)
    assert bank.name == "mini"
    assert {i.type for i in bank.items} == {"single", "multi", "truefalse", "flashcard"}
    by_id = bank.by_id()
    assert by_id["roles-pull"].answer == (1,)
    assert by_id["roles-two"].answer == (0, 1)
    assert by_id["roles-secrets-tf"].choices == ("True", "False")
    assert by_id["roles-secrets-tf"].answer == (1,)
    assert by_id["roles-task-role-card"].answer == ()
    assert bank.weights == {"roles": 2}


def test_item_line_is_recorded(tmp_path):
    bank = load_bank(write(tmp_path, ITEM))
    assert bank.items[0].line == 4


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [
        (("    explanation: Because.\n", "    explaination: Because.\n"), 9, "unknown field"),
        (("    explanation: Because.\n", ""), 4, "explanation: required field is missing"),
        (("    answer: b\n", "    answer: [a, b]\n"), 8, "exactly one answer"),
        (("    answer: b\n", "    answer: e\n"), 8, "not one of the choice letters"),
        (("    choices: [x, y, z]\n", "    choices: []\n"), 7, "at least 2 choices"),
        (("    choices: [x, y, z]\n", "    choices: [x, '', z]\n"), 7, "at least 1 character"),
        (("    type: single\n", "    type: essay\n"), 5, "type"),
        (("  - id: t-one\n", "  - id: T One\n"), 4, "id"),
        (("    choices: [x, y, z]\n", "    choices: [x, x, z]\n"), 7, "duplicate choice"),
    ],
)
def test_item_errors_name_file_line_and_field(tmp_path, change, line, fragment):
    folder = write(tmp_path, ITEM.replace(*change))
    found = problems(folder)
    assert any(p.startswith(f"{folder / 't.yaml'}:{line}:") and fragment in p for p in found), found


def test_multi_count_must_match_prompt(tmp_path):
    text = ITEM.replace("type: single", "type: multi").replace("Pick b.", "Which TWO? (Choose two.)").replace("answer: b", "answer: [a, b, c]")
    text = text.replace("choices: [x, y, z]", "choices: [w, x, y, z]")
    (found,) = problems(write(tmp_path, text))
    assert ":8:" in found and "asks to choose 2 but the key has 3" in found


def test_duplicate_ids_across_files_name_both_places(tmp_path):
    folder = write(tmp_path, ITEM)
    write(tmp_path, ITEM.replace("topic: t", "topic: u"), "u.yaml")
    (found,) = problems(folder)
    assert found.startswith(f"{folder / 'u.yaml'}:4:")
    assert f"first defined at {folder / 't.yaml'}:4" in found


def test_yaml_syntax_error_has_line(tmp_path):
    (found,) = problems(write(tmp_path, ITEM.replace("    answer: b\n", "    answer: [b\n")))
    assert ":9:" in found or ":8:" in found


def test_python_tags_are_refused(tmp_path):
    (found,) = problems(write(tmp_path, ITEM.replace("answer: b", "answer: !!python/object/apply:os.system ['true']")))
    assert "t.yaml:8:" in found and "python/object" in found


def test_alias_bomb_is_refused(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for n in range(1, 12):
        bomb += f"{'abcdefghijklmnop'[n]}: &{'abcdefghijklmnop'[n]} [" + ", ".join([f"*{'abcdefghijklmnop'[n - 1]}"] * 9) + "]\n"
    (found,) = problems(write(tmp_path, bomb))
    assert "t.yaml:" in found and "alias" in found


def test_too_many_aliases_are_refused(tmp_path):
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 150) + "]\n"
    (found,) = problems(write(tmp_path, text))
    assert "t.yaml:2:" in found and "aliases" in found


def test_non_utf8_is_reported_with_line(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "t.yaml").write_bytes(ITEM.encode().replace(b"Because.", b"Caf\xe9."))
    (found,) = problems(folder)
    assert "t.yaml:9:" in found and "not UTF-8" in found


def test_missing_bank_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        load_bank(tmp_path / "nope")


def test_truefalse_and_flashcard_shapes(tmp_path):
    text = ITEM.replace("type: single", "type: truefalse").replace("    answer: b\n", "    answer: maybe\n")
    found = problems(write(tmp_path, text))
    assert any("truefalse item takes no choices" in p for p in found)
    assert any("answer: true or answer: false" in p for p in found)


def test_cache_returns_same_bank_and_notices_edits(tmp_path):
    folder = write(tmp_path, ITEM)
    cache = tmp_path / "cache"
    first = load_bank(folder, cache_dir=cache)
    assert list(cache.glob("bank-*/index-*.pickle"))
    assert load_bank(folder, cache_dir=cache) == first
    (folder / "t.yaml").write_text(ITEM.replace("Pick b.", "Pick the second."), encoding="utf-8")
    assert load_bank(folder, cache_dir=cache).items[0].prompt == "Pick the second."


@pytest.mark.parametrize(("prompt", "count"), [("Which TWO? (Choose two.)", 2), ("Select THREE answers", 3), ("choose 2", 2), ("Pick one", None)])
def test_expected_count(prompt, count):
    assert expected_count(prompt) == count


FILE_LINE = r"^.+\.yaml:\d+: "


def only_problem(tmp_path, text: str | bytes) -> str:
    folder = tmp_path / "bank"
    folder.mkdir(exist_ok=True)
    path = folder / "t.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return one_problem(folder)


def one_problem(folder: Path) -> str:
    """The only problem loading reports, which must read file:line: message."""
    with pytest.raises(InputError) as info:
        load_bank(folder)
    (found,) = info.value.lines() if isinstance(info.value, BankError) else [str(info.value)]
    assert re.match(FILE_LINE, found), found
    return found


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.mkdir [{target}]",
        "!!python/object/new:os.mkdir [{target}]",
        "!!python/name:os.mkdir",
        "!!python/module:os",
        "!!python/object:pathlib.Path {{}}",
        "!!python/tuple [1]",
    ],
)
def test_every_python_tag_is_refused_and_nothing_runs(tmp_path, tag):
    target = tmp_path / "created-by-yaml"
    found = only_problem(tmp_path, ITEM.replace("answer: b", "answer: " + tag.format(target=target)))
    assert "t.yaml:8:" in found and ("unsafe or unknown YAML tag" in found or "YAML" in found)
    assert not target.exists()


def test_raw_escape_character_in_the_file_is_reported_with_its_line(tmp_path):
    found = only_problem(tmp_path, ITEM.replace("Pick b.", "Pick \x1b[31mb."))
    assert "t.yaml:6:" in found and "control character U+001B" in found


def test_recursive_alias_is_refused(tmp_path):
    found = only_problem(tmp_path, "topic: t\ntitle: T\nitems: &loop\n  - *loop\n")
    assert "recursive alias" in found


def test_deep_nesting_is_refused(tmp_path):
    found = only_problem(tmp_path, "topic: t\ntitle: T\nitems: " + "[" * 5000 + "]" * 5000 + "\n")
    assert "t.yaml:3:" in found and "nested more than" in found


def test_duplicate_keys_are_refused(tmp_path):
    found = only_problem(tmp_path, ITEM.replace("    answer: b\n", "    answer: b\n    answer: c\n"))
    assert "t.yaml:9:" in found and "duplicate key 'answer'" in found


def test_huge_file_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    found = only_problem(tmp_path, ITEM + "# padding\n" * 200)
    assert "t.yaml:1:" in found and "larger than the limit of 1,000 bytes" in found


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = (
        "a: &a [" + ", ".join(["x"] * 9) + "]\n" + "".join(f"b{n}: &b{n} [" + ", ".join([f"*{'a' if n == 0 else f'b{n - 1}'}"] * 9) + "]\n" for n in range(12))
    )
    started = time.monotonic()
    found = only_problem(tmp_path, bomb)
    assert "nodes once aliases are expanded" in found or "aliases" in found
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_in_a_bank_is_refused_not_waited_on(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    os.mkfifo(folder / "t.yaml")
    found = one_problem(folder)
    assert "t.yaml:1: not a regular file" in found


def test_an_unchanged_bank_comes_from_the_cache_without_parsing_yaml(tmp_path, monkeypatch):
    import certdrill.bank.loader as loader

    folder = write(tmp_path, ITEM)
    cache = tmp_path / "cache"
    first = load_bank(folder, cache_dir=cache)

    def no_parsing(*args):
        raise AssertionError("YAML parsed although nothing changed")

    monkeypatch.setattr(loader, "parse_yaml", no_parsing)
    monkeypatch.setattr(loader, "quick_yaml", no_parsing)
    assert load_bank(folder, cache_dir=cache) == first


def test_libyaml_and_the_guarded_loader_read_the_same_data_and_lines(mini):
    import yaml

    from certdrill import paths
    from certdrill.bank.loader import _load

    assert yaml.__with_libyaml__, "PyYAML without libyaml parses big banks about fifteen times slower"
    files = [*paths.builtin_bank_dir().glob("*.yaml"), *mini.glob("*.yaml")]
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8-sig")
        assert _load(yaml.CSafeLoader(text), file) == _load(yaml.SafeLoader(text), file), file


def test_a_file_with_anchors_takes_the_guarded_loader(tmp_path):
    text = ITEM.replace("    explanation: Because.\n", "    explanation: &why Because.\n")
    bank = load_bank(write(tmp_path, text))
    assert bank.items[0].explanation == "Because."


def test_an_unchanged_bank_is_not_even_read_once_its_files_are_noted(tmp_path, monkeypatch):
    import os
    import time

    import certdrill.bank.loader as loader

    folder = write(tmp_path, ITEM)
    cache = tmp_path / "cache"
    a_minute_ago = time.time() - 60
    os.utime(folder / "t.yaml", (a_minute_ago, a_minute_ago))
    first = load_bank(folder, cache_dir=cache)
    assert list(cache.glob("bank-*/files.json"))

    def no_reading(*args):
        raise AssertionError("bank file read although it is unchanged")

    monkeypatch.setattr(loader, "_read_bytes", no_reading)
    assert load_bank(folder, cache_dir=cache) == first
    monkeypatch.undo()
    (folder / "t.yaml").write_text(ITEM.replace("Pick b.", "Pick the second."), encoding="utf-8")
    assert load_bank(folder, cache_dir=cache).items[0].prompt == "Pick the second."


def test_files_changed_moments_ago_are_read_every_time(tmp_path):
    folder = write(tmp_path, ITEM)
    cache = tmp_path / "cache"
    load_bank(folder, cache_dir=cache)
    assert list(cache.glob("bank-*/index-*.pickle"))
    notes = [json.loads(note.read_text())["files"] for note in cache.glob("bank-*/files.json")]
    assert all("t.yaml" not in files for files in notes)  # an edit within the same tick would go unseen


def test_a_choice_may_say_why_it_is_wrong_and_an_item_may_cite_pages_and_a_check_date(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "topic: t\ntitle: T\nchecked: 2026-12-01\nitems:\n"
        "  - id: a1\n    type: single\n    prompt: Which one?\n    choices:\n"
        "      - text: The first\n        why: It is the wrong one.\n      - The second\n"
        "    answer: b\n    explanation: The second.\n"
        "    references: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html]\n"
        "    sources: [{note: x}]\n"
        "  - id: a2\n    type: truefalse\n    prompt: Is it?\n    answer: true\n    checked: 2026-11-02\n"
        "    explanation: It is.\n    sources: [{note: x}]\n"
    )
    first, second = load_bank(tmp_path).items
    assert first.choices == ("The first", "The second")
    assert first.rationale(0) == "It is the wrong one." and first.rationale(1) is None
    assert first.references == ("https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html",)
    assert first.checked == "2026-12-01"
    assert second.checked == "2026-11-02" and second.rationales == ()


def test_a_reference_must_be_a_url(tmp_path):
    (tmp_path / "t.yaml").write_text(
        "topic: t\ntitle: T\nitems:\n  - id: a1\n    type: truefalse\n    prompt: Is it?\n    answer: true\n"
        "    explanation: It is.\n    references: [see the docs]\n    sources: [{note: x}]\n"
    )
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path)
    assert "t.yaml:9" in str(caught.value) and "references" in str(caught.value)
