"""Every community layout imports with the key the source gives, one file or several at once.

The keys below are read off the fixtures by hand (the right options' text), not from the importer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from certdrill.bank.open import load_bank

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ACROSS = FIXTURES / "across"
REVIEW = "needs review"  # the source gives no key certdrill can trust: kept as a flashcard for a person

SOURCE_KEYS = {
    "headings.md": {
        "A new ECS service on Fargate cannot pull": {"The task execution role."},
        "Which TWO features does Amazon ECR offer?": {"Image scanning", "Lifecycle policies"},
        "Amazon ECR has a public gallery.": True,
        "Which command returns a token for": {"aws ecr get-login-password"},
    },
    "numbered.md": {
        "Which AWS service runs containers without managing": {"AWS Fargate"},
        "Which TWO services can run Kubernetes": {"Amazon EKS", "AWS Fargate"},
    },
    "html-and-images.md": {
        "Which service stores images & artifacts": {"Amazon ECR — the registry"},
        "Which diagram shows a task in awsvpc mode?": {"[image: images/q2-b.png]"},
        "Refer to the exhibit.": {"The task execution role"},
        "Which AWS service runs containers without servers?": {"AWS Fargate"},
        "Which TWO are ECS launch types?": {"EC2", "Fargate"},
        "Which port does the ECS agent introspection": {"51678"},
        "Which log driver sends logs to CloudWatch Logs?": {"awslogs"},
    },
    "deck.txt": {
        "Which service stores private Docker images": {"Amazon ECR"},
        "Which TWO can an ECS task definition name?": {"A task role", "A task execution role"},
        "What does <awslogs> send container output to?": "Amazon CloudWatch Logs",
        "Which port does the ECS agent introspection": REVIEW,  # "See the docs." names no option
        'A task fails with "CannotPullContainerError".': {"Task execution role"},
    },
    "questions.csv": {
        "Which AWS service runs containers without managing": {"AWS Fargate"},
        "Which TWO are ECS launch types?": {"EC2", "Fargate"},
        "Amazon ECR supports image scanning.": True,
        "What is the ECS task role for?": "The IAM role the application code in the task assumes.",
        "Which service stores container images?": {"Amazon ECR"},
        "Which log driver sends logs to CloudWatch?": REVIEW,  # the answer "splunk" is not a choice
        "Which TWO are ECS network modes?": REVIEW,  # choose two, one given
    },
    "per-choice.csv": {
        "Which service is a managed Kubernetes": {"Amazon EKS"},
        "Which TWO are EKS node options?": {"Managed node groups", "Fargate profiles"},
    },
}

ACROSS_KEYS = {  # part1.md (checkboxes), part2.md (numbered, lettered), part3.txt (Anki text), part4.csv
    "Which service stores private container images": {"Amazon ECR"},  # part1 and part2 (B there, A here)
    "Which TWO are ECS launch types?": {"Fargate", "EC2"},  # part1's; part2 marks Fargate + Lambda: flagged
    "Which role does the ECS agent use": {"The task execution role"},
    "Which network mode gives each task its own ENI?": {"awsvpc"},  # part2 and part3
    "Which log driver sends container logs": {"awslogs"},  # part3 and part4
    "Amazon ECR supports image scanning.": True,
}


def imported_keys(cli, out: Path) -> dict:
    items = json.loads(cli("bank", "list", "--json", "--bank", out).output)
    keys = {}
    for item in items:
        if item["status"] == "needs-review" and item["type"] == "flashcard":
            key: object = REVIEW
        elif item["type"] in ("single", "multi"):
            key = {item["choices"][i] for i in item["answer"]}
        elif item["type"] == "truefalse":
            key = item["choices"][item["answer"][0]] == "True"
        else:
            key = item["back"]
        keys[item["prompt"]] = key
    return keys


def matched(expected: dict, keys: dict) -> dict:
    out = {}
    for start in expected:
        [prompt] = [p for p in keys if p.startswith(start)]
        out[start] = keys[prompt]
    return out


@pytest.mark.parametrize("name", sorted(SOURCE_KEYS))
def test_each_layout_imports_with_the_source_key(cli, tmp_path, name):
    out = tmp_path / "bank"
    result = cli("bank", "import", FIXTURES / name, "-o", out)
    assert result.exit_code == 0, result.output
    keys = imported_keys(cli, out)
    assert len(keys) == len(SOURCE_KEYS[name])
    assert matched(SOURCE_KEYS[name], keys) == SOURCE_KEYS[name]


def test_several_files_in_every_layout_make_one_bank_with_the_source_keys(cli, tmp_path):
    out = tmp_path / "bank"
    files = [ACROSS / "part1.md", ACROSS / "part2.md", ACROSS / "part3.txt", ACROSS / "part4.csv"]
    result = cli("bank", "import", *files, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    keys = imported_keys(cli, out)
    assert len(keys) == len(ACROSS_KEYS)  # four questions appear in two files: each is one item
    assert matched(ACROSS_KEYS, keys) == ACROSS_KEYS
    report = json.loads(result.output)
    [conflict] = [r for r in report["needs_review"] if any("differs" in reason for reason in r["reasons"])]
    assert conflict["file"] == "part1.md" and conflict["line"] == 9
    assert conflict["reasons"] == ["the key differs between files: part1.md:9 marks 'Fargate' + 'EC2', part2.md:16 marks 'Fargate' + 'Lambda'"]
    assert [(f["copy"], f["kept"], f["conflict"]) for f in report["folded"]] == [
        ("part2.md:3", "part1.md:3", False),
        ("part2.md:16", "part1.md:9", True),
        ("part3.txt:4", "part2.md:24", False),
        ("part4.csv:2", "part3.txt:5", False),
    ]
    registry = {i["id"]: i for i in yaml.safe_load((out / "part1.yaml").read_text())["items"]}
    ecr = next(i for i in registry.values() if i["prompt"].startswith("Which service stores private"))
    assert ecr["sources"] == [{"note": "part1.md:3"}, {"note": "part2.md:3"}]
    assert ecr["explanation"] == "ECR is the registry ECS pulls from."  # part1 has none; part2's is kept
    assert load_bank(out).name == "bank"


def test_several_files_import_again_unchanged(cli, tmp_path):
    out = tmp_path / "bank"
    files = [ACROSS / "part1.md", ACROSS / "part2.md", ACROSS / "part3.txt", ACROSS / "part4.csv"]
    assert cli("bank", "import", *files, "-o", out).exit_code == 0
    again = cli("bank", "import", *files, "-o", out)
    assert again.exit_code == 0 and "(0 new, 0 updated, 6 unchanged, 0 removed)" in again.output


def test_several_files_with_one_topic_and_the_human_report(cli, tmp_path):
    out = tmp_path / "bank"
    result = cli("bank", "import", ACROSS / "part1.md", ACROSS / "part2.md", "-o", out, "--topic", "ecs")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["bank.yaml", "ecs.yaml"]
    assert "part1.md:9: the key differs between files" in result.output
    assert "part2.md:3: the same question as part1.md:3 (" in result.output
    assert "Skipped headings or numbered lines with no options (not questions): part1.md:1, part2.md:1." in result.output


def test_an_anki_package_is_imported_alone(cli, tmp_path):
    package = tmp_path / "deck.apkg"
    package.write_bytes(b"PK")
    result = cli("bank", "import", ACROSS / "part1.md", package, "-o", tmp_path / "b")
    assert result.exit_code == 2 and "an Anki package is imported on its own" in result.output
    assert not (tmp_path / "b").exists()


def test_comments_added_to_a_topic_file_are_not_kept_and_the_docs_say_so(cli, tmp_path):
    out = tmp_path / "bank"
    assert cli("bank", "import", FIXTURES / "headings.md", "-o", out).exit_code == 0
    topic_file = out / "headings.yaml"
    topic_file.write_text(topic_file.read_text().replace("items:\n", "items:  # my own note\n"))
    assert cli("bank", "import", FIXTURES / "headings.md", "-o", out).exit_code == 0
    assert "my own note" not in topic_file.read_text()
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    assert "Comments you add to a topic file are not kept" in readme
