import json

import pytest

from certdrill import __version__


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"certdrill {__version__}"


def all_commands():
    from typer.main import get_command

    from certdrill.cli import build_app

    root = get_command(build_app())
    paths = []

    def walk(cmd, prefix):
        paths.append(prefix)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p) or "certdrill")
def test_every_command_has_help(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_bank_list_json_shape(cli, mini):
    result = cli("bank", "list", "--json", "--bank", mini)
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert len(items) == 12
    tf = next(i for i in items if i["id"] == "roles-secrets-tf")
    assert tf["choices"] == ["True", "False"] and tf["answer"] == [1]
    card = next(i for i in items if i["type"] == "flashcard")
    assert card["choices"] == [] and card["answer"] == []
    multi = next(i for i in items if i["id"] == "ecr-three")
    assert multi["answer"] == [0, 1, 2]
    assert {"id", "type", "topic", "prompt", "choices", "answer", "explanation", "sources", "tags"} <= set(multi)
    assert multi["sources"] == [{"note": "000_6edf646b5463f0e5.txt", "quote": None}]
    assert result.output == json.dumps(items, ensure_ascii=False, indent=1) + "\n"  # written an item at a time, the same text


def test_bank_list_topic_filter_and_unknown_topic(cli, mini):
    result = cli("bank", "list", "--json", "--bank", mini, "--topic", "ecr")
    assert {i["topic"] for i in json.loads(result.output)} == {"ecr"}
    bad = cli("bank", "list", "--bank", mini, "--topic", "nope")
    assert bad.exit_code == 2 and "unknown topic 'nope'" in bad.output


def test_builtin_bank_lints_clean(cli):
    result = cli("bank", "lint")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_lint_reports_file_line_and_exits_2(cli, tmp_path):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        "topic: t\ntitle: T\nitems:\n  - id: x\n    type: single\n    prompt: p\n    choices: [a, b]\n    answer: [a, b]\n    explanation: e\n    sources: [{note: n}]\n"
    )
    result = cli("bank", "lint", bank)
    assert result.exit_code == 2
    assert f"{bank / 't.yaml'}:8: x: answer: a single-answer item has exactly one answer, got 2" in result.output


def test_lint_flags_escape_sequences(cli, tmp_path, controls_allowed):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "t.yaml").write_text(
        'topic: t\ntitle: T\nitems:\n  - id: x\n    type: flashcard\n    prompt: "evil \\e]0;pwned\\a"\n    back: b\n    explanation: e\n    sources: [{note: n}]\n'
    )
    result = cli("bank", "lint", bank)
    assert result.exit_code == 1
    assert "t.yaml:4: error: x: prompt: contains control characters" in result.output


def test_config_show_set_and_errors(cli):
    assert cli("config", "set", "new-per-day", "5").exit_code == 0
    shown = json.loads(cli("config", "show", "--json").output)
    assert shown["new-per-day"] == 5 and shown["desired-retention"] == 0.9
    unknown = cli("config", "set", "colour", "blue")
    assert unknown.exit_code == 2 and "unknown setting 'colour'" in unknown.output
    bad = cli("config", "set", "desired-retention", "1.5")
    assert bad.exit_code == 2 and "desired-retention" in bad.output
    assert json.loads(cli("config", "show", "--json").output)["desired-retention"] == 0.9


def test_config_limits_apply_to_study(cli, mini):
    cli("config", "set", "new-per-day", "2")
    result = cli("study", "--bank", mini, input="")
    assert "0 due, 2 new." in result.output


def test_flags_out_of_range(cli, mini):
    result = cli("study", "--bank", mini, "--retention", "1.2")
    assert result.exit_code == 2 and "--retention: 1.2 is out of range" in result.output


def test_missing_bank_path(cli, tmp_path):
    result = cli("study", "--bank", tmp_path / "none")
    assert result.exit_code == 2 and "no such bank" in result.output
    assert "Traceback" not in result.output


def test_a_big_bank_lists_as_plain_tab_separated_lines(cli, mini, monkeypatch):
    from certdrill.cli import bank

    monkeypatch.setattr(bank, "TABLE_LIMIT", 5)
    result = cli("bank", "list", "--bank", mini)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 12 and all(line.count("\t") == 8 for line in lines)
    assert all("│" not in line for line in lines)


def test_lint_counts_one_item_and_one_topic_in_the_singular(cli, tmp_path):
    from support import ITEM

    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "t.yaml").write_text(ITEM, encoding="utf-8")
    result = cli("bank", "lint", folder)
    assert "1 item in 1 topic, no problems" in result.output, result.output


def test_starting_a_command_does_not_import_what_only_other_commands_use():
    """Every start builds the whole command tree; a module that only `bank audit`, `optimize` or an
    export needs costs each `study` its import time (the audit's patterns were 12 ms)."""
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "certdrill", "study", "--help"], capture_output=True, text=True, check=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "certdrill.cli" in imported
    assert not imported & {"certdrill.bank.audit", "certdrill.insight.optimize", "certdrill.exchange.anki", "fsrs_rs_python", "genanki"}
