"""`certdrill bank audit`: each cue against small synthetic banks, the coverage figures, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from certdrill.bank.audit import Cue, audit, top_k_hit
from certdrill.bank.lint import reference_findings
from certdrill.bank.open import load_bank

WORDS = ["amber", "bison", "cedar", "delta", "ember", "fjord", "gecko", "heron"]  # all five letters: a choice's length is its word count


def write_bank(folder: Path, items: list[dict], *, topic: str = "t", extra: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    full = [{**item, "explanation": item.get("explanation", "Because."), "sources": [{"note": "n.txt"}]} for item in items]
    (folder / f"{topic}.yaml").write_text(yaml.safe_dump({"topic": topic, "title": topic.upper(), **(extra or {}), "items": full}, sort_keys=False))
    return folder


def single(n: int, choices: list, answer: str, prompt: str = "", **more) -> dict:
    return {"id": f"s-{n:03d}", "type": "single", "prompt": prompt or f"Question {n}?", "choices": choices, "answer": answer, **more}


def tf(n: int, value: bool, prompt: str = "") -> dict:
    return {"id": f"tf-{n:03d}", "type": "truefalse", "prompt": prompt or f"Statement {n}.", "answer": value}


def filler(word: str, length: int) -> str:
    """A choice of `length` words, all `word`: its length is all it says."""
    return " ".join([word] * length)


def cue_of(folder: Path, name: str) -> Cue:
    return next(c for c in audit(load_bank(folder)).cues if c.name == name)


def longest_is_key(count: int) -> list[dict]:
    """Keys always the longest choice, at rotating positions."""
    items = []
    for n in range(count):
        position = n % 4
        choices = [filler(WORDS[i], 2) for i in range(4)]
        choices[position] = filler(WORDS[position], 5)
        items.append(single(n, choices, "abcd"[position]))
    return items


def balanced(count: int) -> list[dict]:
    """The key is the longest, second, third or shortest choice in turn, at every position in turn."""
    items = []
    for n in range(count):
        position, rank = n % 4, (n // 4) % 4
        lengths = [1, 2, 3, 4]  # by position, before the key's length is placed
        key_length = [4, 3, 2, 1][rank]
        lengths.remove(key_length)
        lengths.insert(position, key_length)
        items.append(single(n, [filler(WORDS[i], lengths[i]) for i in range(4)], "abcd"[position]))
    return items


@pytest.mark.parametrize(
    ("scores", "key", "chance"),
    [
        ([5, 1, 1, 1], [0], 1.0),  # a clear longest
        ([5, 1, 1, 1], [1], 0.0),
        ([5, 5, 1, 1], [0], 0.5),  # a tie for longest: a coin toss
        ([3, 3, 3, 3], [2], 0.25),
        ([5, 4, 1, 1], [0, 1], 1.0),  # the two longest
        ([5, 1, 1, 1], [0, 2], 1 / 3),  # one sure, one of three tied
        ([5, 1, 1, 1], [1, 2], 0.0),
    ],
)
def test_top_k_picks_break_ties_at_random(scores, key, chance):
    assert top_k_hit(scores, key) == pytest.approx(chance)


def test_longest_choice_cue_scores_the_key_being_longest(tmp_path):
    folder = write_bank(tmp_path / "b", longest_is_key(12))
    cue = cue_of(folder, "longest-choice")
    assert (cue.considered, cue.hits, cue.chance) == (12, 12, 0.25)
    assert cue.verdict() == "beats chance" and cue.lead == pytest.approx(75)
    assert cue.items[0].where == f"{folder / 't.yaml'}:4"
    assert len(cue.items) == 12
    # a key of 5 words against 2-word distractors stands out by 1.5×
    outlier = cue_of(folder, "key-1.5x-longest")
    assert (outlier.considered, outlier.hits) == (12, 12)
    assert audit(load_bank(folder)).coverage.outlier_keys == 12


def test_balanced_lengths_and_positions_stay_at_chance(tmp_path):
    folder = write_bank(tmp_path / "b", balanced(16))
    longest = cue_of(folder, "longest-choice")
    assert longest.considered == 16 and longest.score == pytest.approx(0.25)
    position = cue_of(folder, "key-position")
    assert position.score == pytest.approx(0.25) and position.verdict() == "ok"


def test_k_longest_on_multi_items_against_one_in_n_choose_k(tmp_path):
    items = [
        {
            "id": f"m-{n}",
            "type": "multi",
            "prompt": "Which TWO? (Choose two.)",
            "choices": [filler("amber", 4), filler("basalt", 4), filler("cobalt", 1), filler("dune", 1)],
            "answer": ["a", "b"],
        }
        for n in range(10)
    ]
    cue = cue_of(write_bank(tmp_path / "b", items), "k-longest")
    assert cue.considered == 10 and cue.score == 1.0 and cue.chance == pytest.approx(1 / 6)


def test_always_false_and_always_true(tmp_path):
    folder = write_bank(tmp_path / "b", [tf(n, n == 0) for n in range(10)])
    false, true = cue_of(folder, "always-false"), cue_of(folder, "always-true")
    assert false.score == pytest.approx(0.9) and false.chance == 0.5 and false.verdict() == "beats chance"
    assert true.score == pytest.approx(0.1) and true.verdict() == "ok"
    assert [h.item_id for h in true.items] == ["tf-000"]


def test_key_position_finds_the_favourite_letter(tmp_path):
    items = [single(n, [filler(w, 2) for w in WORDS[:4]], "c") for n in range(10)]
    cue = cue_of(write_bank(tmp_path / "b", items), "key-position")
    assert cue.score == 1.0 and "c" in cue.label and cue.lead == pytest.approx(75)


def test_stem_overlap_picks_the_choice_echoing_the_question(tmp_path):
    items = [
        single(n, ["Rotate the garnet credentials", "Restart amber", "Resize basalt", "Reboot cobalt"], "a", prompt="The garnet credentials expired. What now?")
        for n in range(10)
    ]
    cue = cue_of(write_bank(tmp_path / "b", items), "stem-overlap")
    assert cue.considered == 10 and cue.score == 1.0


def test_all_or_none_of_the_above_as_the_key(tmp_path):
    items = [single(n, ["amber", "basalt", "cobalt", "All of the above"], "d") for n in range(5)]
    items += [single(n + 5, ["amber", "basalt", "cobalt", "None of these."], "a") for n in range(5)]
    cue = cue_of(write_bank(tmp_path / "b", items), "all-none-of-the-above")
    assert cue.considered == 10 and cue.score == 0.5 and cue.chance == 0.25


def test_absolute_words_in_distractors_and_statements(tmp_path):
    items = [single(n, ["It always fails", "It never starts", "It retries with backoff", "Only the root user can"], "c") for n in range(8)]
    items += [tf(n, False, prompt="A task always runs on Fargate.") for n in range(2)]
    cue = cue_of(write_bank(tmp_path / "b", items), "absolute-words")
    assert cue.considered == 10 and cue.score == 1.0
    assert cue.chance == pytest.approx((8 * 0.25 + 2 * 0.5) / 10)
    assert cue.items[0].detail == "avoids: always, never, only" and cue.items[-1].detail == "False for: always"


def test_an_id_word_found_only_in_the_key(tmp_path):
    items = [
        {**single(n, ["Task role", "Task execution role", "Instance profile", "Service-linked role"], "b"), "id": f"iam-execution-pull-{n}"} for n in range(10)
    ]
    cue = cue_of(write_bank(tmp_path / "b", items), "id-names-answer")
    assert cue.considered == 10 and cue.score == 1.0 and cue.items[0].detail == "execution"
    assert cue_of(write_bank(tmp_path / "c", items), "tag-names-answer").considered == 0


def test_a_tag_word_found_only_in_the_key(tmp_path):
    items = [{**single(n, ["Amazon ECS on Fargate", "AWS Lambda", "Amazon EC2", "AWS Batch"], "a"), "tags": ["fargate"]} for n in range(10)]
    cue = cue_of(write_bank(tmp_path / "b", items), "tag-names-answer")
    assert cue.score == 1.0 and cue.items[0].detail == "fargate"


def test_coverage_counts_rationales_aws_docs_note_mentions_and_dates(tmp_path):
    items = [
        single(
            0,
            [{"text": "amber", "why": "Not amber."}, "basalt", {"text": "cobalt", "why": "Not cobalt."}],
            "b",
            references=["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html"],
            checked="2026-12-01",
        ),
        single(1, ["amber", "basalt"], "a", explanation="Note 003 says so; see 004_2a3a88d39c5f83df.txt.", references=["https://example.com/page"]),
        {**tf(2, True), "checked": "2025-01-01"},
    ]
    folder = write_bank(tmp_path / "b", items)
    cov = audit(load_bank(folder), stale_before="2026-06-01").coverage
    assert (cov.wrong_choices, cov.wrong_with_rationale) == (3, 2)
    assert [(h.item_id, h.detail) for h in cov.missing_rationales] == [("s-001", "no why on b")]
    assert cov.with_aws_docs == 1 and [h.item_id for h in cov.no_aws_docs] == ["s-001", "tf-002"]
    assert [(h.item_id, h.detail) for h in cov.note_mentions] == [("s-001", "Note 003, 004_2a3a88d39c5f83df.txt")]
    assert [h.item_id for h in cov.unchecked] == ["s-001"]
    assert [(h.item_id, h.detail) for h in cov.stale] == [("tf-002", "2025-01-01")]


def test_reference_findings_warn_about_pages_outside_the_aws_docs(tmp_path):
    items = [single(0, ["a1", "b1"], "a", references=["https://docs.aws.amazon.com/x.html", "http://example.com/y", "https://docs.aws.amazon.com.evil.io/z"])]
    found = reference_findings(load_bank(write_bank(tmp_path / "b", items)))
    assert [f.severity for f in found] == ["warning", "warning"]
    assert "references[1]" in found[0].message and "references[2]" in found[1].message
    assert found[0].line == 4


# through the CLI


def giveaway_bank(folder: Path) -> Path:
    return write_bank(folder, longest_is_key(12) + [tf(n, False) for n in range(12)])


def fair_bank(folder: Path) -> Path:
    return write_bank(folder, balanced(16) + [tf(n, n % 2 == 0) for n in range(12)])


def test_strict_fails_naming_the_cues_of_a_giveaway_bank(cli, tmp_path):
    result = cli("bank", "audit", giveaway_bank(tmp_path / "g"), "--strict")
    assert result.exit_code == 1, result.output
    assert "strict: longest-choice" in result.output and "strict: always-false" in result.output
    assert "+75.0 points, more than 15" in result.output


def test_strict_passes_on_a_balanced_bank(cli, tmp_path):
    result = cli("bank", "audit", fair_bank(tmp_path / "f"), "--strict")
    assert result.exit_code == 0, result.output
    assert "strict:" not in result.output


def test_threshold_and_min_items_are_options(cli, tmp_path):
    folder = giveaway_bank(tmp_path / "g")
    assert cli("bank", "audit", folder, "--strict", "--threshold", "80").exit_code == 0
    assert cli("bank", "audit", folder, "--strict", "--min-items", "13").exit_code == 0
    assert cli("bank", "audit", folder, "--strict", "--min-items", "12").exit_code == 1


def test_json_lists_every_cue_with_its_items(cli, tmp_path):
    folder = giveaway_bank(tmp_path / "g")
    out = json.loads(cli("bank", "audit", folder, "--json").output)
    assert out["passed"] is False and out["strict"] is False
    assert out["failing"] == ["longest-choice", "key-1.5x-longest", "always-false"]
    cues = {c["name"]: c for c in out["cues"]}
    assert set(cues) >= {"longest-choice", "k-longest", "always-true", "always-false", "key-position", "stem-overlap"}
    assert cues["longest-choice"]["score"] == 1.0 and cues["longest-choice"]["chance"] == 0.25
    assert cues["longest-choice"]["items"][0] == {"id": "s-000", "where": f"{folder / 't.yaml'}:4", "detail": ""}
    assert len(cues["longest-choice"]["items"]) == 12
    assert out["coverage"]["wrong_choices"] == 36 and out["coverage"]["rationale_share"] == 0.0


def test_plain_output_names_cues_and_items_as_file_line(cli, tmp_path):
    folder = giveaway_bank(tmp_path / "g")
    result = cli("bank", "audit", folder)
    assert result.exit_code == 0
    assert "longest-choice: the longest choice (single): 100% of 12, chance 25%: beats chance (+75 points)" in result.output
    assert f"  {folder / 't.yaml'}:4\n" in result.output
    assert "… and 4 more (--json lists all)" in result.output
    assert "Wrong choices with a rationale (why): 0 of 36 (0%)" in result.output
    assert "┃" not in result.output


def test_a_terminal_with_colour_gets_a_table(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    result = cli("bank", "audit", giveaway_bank(tmp_path / "g"))
    assert result.exit_code == 0
    header = next(line for line in result.output.splitlines() if "chance" in line and "verdict" in line)
    assert all(column in header for column in ("cue", "score", "chance", "verdict", "items"))


def test_stale_before_lists_older_items_and_rejects_a_bad_date(cli, tmp_path):
    folder = write_bank(tmp_path / "b", [tf(n, n % 2 == 0) for n in range(2)], extra={"checked": "2026-01-05"})
    result = cli("bank", "audit", folder, "--stale-before", "2026-06-01")
    assert "Items checked before 2026-06-01: 2" in result.output
    assert "Items without a checked date: 0" in result.output
    bad = cli("bank", "audit", folder, "--stale-before", "June")
    assert bad.exit_code == 2 and bad.output.strip() == "Error: --stale-before: 'June' is not a date (YYYY-MM-DD)"


def test_a_bank_that_does_not_load_exits_2(cli, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "t.yaml").write_text("topic: t\ntitle: T\nitems:\n  - id: x\n    type: essay\n")
    result = cli("bank", "audit", folder, "--strict")
    assert result.exit_code == 2 and "t.yaml:" in result.output


def test_strict_on_the_builtin_bank_also_asks_for_rationales_docs_and_no_note_files(cli, tmp_path, monkeypatch):
    from certdrill import paths

    builtin = fair_bank(tmp_path / "builtin")
    other = fair_bank(tmp_path / "other")
    monkeypatch.setattr(paths, "builtin_bank_dir", lambda: builtin)
    result = cli("bank", "audit", "--strict")
    assert result.exit_code == 1
    assert "strict: built-in bank: 0% of wrong choices have a rationale (at least 95% needed)" in result.output
    assert "strict: built-in bank: 0% of items cite an AWS documentation page (at least 95% needed)" in result.output
    assert cli("bank", "audit", other, "--strict").exit_code == 0


def test_strict_on_the_builtin_bank_warns_about_references_outside_the_aws_docs(cli, tmp_path, monkeypatch):
    from certdrill import paths

    why = "Not this one."
    items = [
        single(
            n, [{"text": filler(w, 1 + (n + i) % 4), "why": why} if i != n % 4 else filler(w, 1 + (n + i) % 4) for i, w in enumerate(WORDS[:4])], "abcd"[n % 4]
        )
        for n in range(4)
    ]
    for item in items:
        item["references"] = ["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html"]
    items[0]["references"] = ["https://example.com/not-aws"]
    builtin = write_bank(tmp_path / "builtin", items)
    monkeypatch.setattr(paths, "builtin_bank_dir", lambda: builtin)
    result = cli("bank", "audit", "--strict", "--json")
    out = json.loads(result.stdout)
    assert out["warnings"] == [f"{builtin / 't.yaml'}:4: warning: s-000: references[0]: not an AWS documentation page (https://docs.aws.amazon.com/…)"]
    assert out["shortfalls"] == ["75% of items cite an AWS documentation page (at least 95% needed)"]
    assert result.exit_code == 1


def test_cues_in_ids_and_tags_fail_strict_only_when_counted(cli, tmp_path):
    """certdrill shows neither ids nor tags before the answer, so they are reported, and fail --strict on request."""
    others = ["Execution role", "Instance profile", "Service-linked role"]
    items = []
    for n in range(12):
        choices = [*others[: n % 4], "Task role", *others[n % 4 :]]
        items.append({**single(n, choices, "abcd"[n % 4]), "id": f"iam-task-{n}"})
    folder = write_bank(tmp_path / "b", items)
    cue = cue_of(folder, "id-names-answer")
    assert cue.hidden and cue.score == 1.0
    result = cli("bank", "audit", folder, "--strict")
    assert result.exit_code == 0, result.output
    assert "hidden until the answer" in result.output
    counted = cli("bank", "audit", folder, "--strict", "--count-hidden")
    assert counted.exit_code == 1 and "strict: id-names-answer" in counted.output
