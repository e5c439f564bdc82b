"""The built-in bank keeps the issue's promises about size, shape, sources and balance."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict

import pytest

from certdrill import paths
from certdrill.bank.items import LETTERS
from certdrill.bank.loader import expected_count
from certdrill.bank.open import load_bank

# The five source notes (hard-coded: CI has no copy of the notes themselves).
NOTES = {
    "000_6edf646b5463f0e5.txt",
    "001_dc26a4dcab406153.txt",
    "002_fa050057739c0e47.txt",
    "003_2b42c690e2697c98.txt",
    "004_2a3a88d39c5f83df.txt",
}
EXAM_TAGS = {"SOA-C03", "DVA-C02"}
SERVICE_TAGS = {
    "ecs", "eks", "ecr", "fargate", "iam", "cloudwatch", "ec2", "elb", "autoscaling", "vpc", "efs", "ebs", "fsx", "s3",
    "lambda", "apprunner", "codedeploy", "copilot", "secrets-manager", "ssm", "kms", "inspector", "guardduty", "xray", "config",
}  # fmt: skip


@pytest.fixture(scope="module")
def bank():
    return load_bank(paths.builtin_bank_dir())


def normalise(text: str) -> str:
    """Case, whitespace and punctuation do not make two prompts different."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def test_size_and_mix_of_types(bank):
    types = Counter(item.type for item in bank.items)
    topics = Counter(item.topic for item in bank.items)
    assert len(bank.items) >= 200
    assert min(topics.values()) >= 12, topics
    assert len(topics) == len(bank.topics)
    assert types["multi"] >= 25
    assert types["flashcard"] >= 40
    assert types["truefalse"] >= 10


def test_every_item_explains_and_cites_a_known_note(bank):
    bad = [item.id for item in bank.items if not item.explanation.strip()]
    assert not bad, f"no explanation: {bad}"
    unknown = [(item.id, s.note) for item in bank.items for s in item.sources if s.note not in NOTES]
    assert not unknown, f"sources that are not one of the notes: {unknown}"
    assert all(item.sources for item in bank.items)


def test_every_note_is_cited_by_at_least_15_items(bank):
    cited = Counter(note for item in bank.items for note in {s.note for s in item.sources})
    assert set(cited) == NOTES
    assert min(cited.values()) >= 15, cited


def test_no_two_prompts_are_the_same(bank):
    seen: dict[str, str] = {}
    repeats = []
    for item in bank.items:
        key = normalise(item.prompt)
        if key in seen:
            repeats.append((seen[key], item.id))
        seen[key] = item.id
    assert not repeats


def test_no_two_prompts_are_nearly_the_same(bank):
    prompts = [(item.id, normalise(item.prompt)) for item in bank.items]
    near = []
    for index, (id_b, b) in enumerate(prompts):
        matcher = difflib.SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(b)  # caches b's index; each earlier prompt is compared with it
        for id_a, a in prompts[:index]:
            if 2 * min(len(a), len(b)) / (len(a) + len(b)) <= 0.9:
                continue  # the lengths alone keep the ratio at or below 0.9
            matcher.set_seq1(a)
            if matcher.quick_ratio() > 0.9 and matcher.ratio() > 0.9:
                near.append((id_a, id_b, round(matcher.ratio(), 2)))
    assert not near


def test_near_duplicate_check_catches_a_reworded_prompt():
    a = normalise("Which role pulls the image for a Fargate task?")
    b = normalise("Which role pulls the image for a Fargate task ?!")
    c = normalise("Which roles pull the images for Fargate tasks?")
    assert a == b
    assert difflib.SequenceMatcher(None, a, c).ratio() > 0.9


def test_answer_letters_are_balanced(bank):
    singles = [item for item in bank.items if item.type == "single" and len(item.choices) == 4]
    overall = Counter(LETTERS[item.answer[0]] for item in singles)
    for letter in "abcd":
        share = overall[letter] / len(singles)
        assert 0.15 <= share <= 0.35, (letter, overall)
    per_file: dict[str, Counter] = defaultdict(Counter)
    for item in singles:
        per_file[item.topic][LETTERS[item.answer[0]]] += 1
    for topic, counts in per_file.items():
        assert max(counts.values()) <= sum(counts.values()) / 2, (topic, counts)


def test_every_item_has_an_exam_tag_and_a_service_tag(bank):
    missing_exam = [item.id for item in bank.items if not EXAM_TAGS & set(item.tags)]
    missing_service = [item.id for item in bank.items if not SERVICE_TAGS & set(item.tags)]
    assert not missing_exam
    assert not missing_service


def test_choices_are_never_empty_or_repeated(bank):
    bad = []
    for item in bank.items:
        keys = [normalise(choice) for choice in item.choices]
        if any(not key for key in keys) or len(set(keys)) != len(keys):
            bad.append(item.id)
    assert not bad


def test_multi_prompts_say_how_many_to_choose(bank):
    for item in (i for i in bank.items if i.type == "multi"):
        assert expected_count(item.prompt) == len(item.answer), item.id
