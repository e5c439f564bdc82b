"""The built-in bank tests knowledge, not test-taking: the targets of issue 14, over `bank list --json`."""

from __future__ import annotations

import re

import pytest

from certdrill import paths
from certdrill.bank.open import load_bank

LETTER_LIMITS = {"longest": 0.35, "ratio": 0.05, "k_longest": 0.20}


@pytest.fixture(scope="module")
def listed():
    """The built-in bank as `bank list --json` gives it."""
    return [item.to_json() for item in load_bank(paths.builtin_bank_dir()).items]


def bank_items(listed):
    return listed


def test_the_longest_choice_is_rarely_the_key(listed):
    singles = [i for i in bank_items(listed) if i["type"] == "single"]
    lengths = [[len(c) for c in i["choices"]] for i in singles]
    longest = sum(1 for i, ls in zip(singles, lengths, strict=True) if ls[i["answer"][0]] == max(ls) and ls.count(max(ls)) == 1)
    ratio = sum(1 for i, ls in zip(singles, lengths, strict=True) if ls[i["answer"][0]] >= 1.5 * max(x for j, x in enumerate(ls) if j != i["answer"][0]))
    assert longest / len(singles) <= LETTER_LIMITS["longest"]
    assert ratio / len(singles) <= LETTER_LIMITS["ratio"]


def test_the_k_longest_choices_are_rarely_the_key_of_a_multi_item(listed):
    multis = [i for i in bank_items(listed) if i["type"] == "multi"]
    hits = 0
    for item in multis:
        k = len(item["answer"])
        top = sorted(range(len(item["choices"])), key=lambda j: -len(item["choices"][j]))[:k]
        hits += set(top) == set(item["answer"])
    assert hits / len(multis) <= LETTER_LIMITS["k_longest"]


def test_true_false_keys_are_balanced(listed):
    keys = [i["answer"] == [0] for i in bank_items(listed) if i["type"] == "truefalse"]
    assert 0.40 <= sum(keys) / len(keys) <= 0.60


def test_nearly_every_wrong_choice_says_why_it_is_wrong(listed):
    wrong = with_why = 0
    for item in bank_items(listed):
        if item["type"] not in ("single", "multi"):
            continue
        for index in range(len(item["choices"])):
            if index not in item["answer"]:
                wrong += 1
                with_why += bool(item["rationales"] and item["rationales"][index])
    assert with_why / wrong >= 0.95


def test_nearly_every_item_links_an_aws_documentation_page(listed):
    items = bank_items(listed)
    linked = [i for i in items if any(r.startswith("https://docs.aws.amazon.com/") for r in i["references"])]
    assert len(linked) / len(items) >= 0.95


def test_no_learner_facing_text_names_a_note_file(listed):
    note_file = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|\bthe notes?\b", re.IGNORECASE)
    for item in bank_items(listed):
        text = " ".join([item["prompt"], item["explanation"], item["back"] or "", *item["choices"], *(r or "" for r in item["rationales"])])
        assert not note_file.search(text), item["id"]


def test_every_item_says_when_its_facts_were_checked(listed):
    assert all(i["checked"] for i in bank_items(listed))


def test_the_builtin_bank_passes_a_strict_audit(cli):
    result = cli("bank", "audit", "--strict")
    assert result.exit_code == 0, result.output
    assert "strict:" not in result.output
