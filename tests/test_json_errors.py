"""With --json (or --jsonl), an error is one JSON object on stdout with the command's exit code."""

from __future__ import annotations

import json

BROKEN_TOPIC = "topic: t\ntitle: T\nitems:\n  - id: x\n    type: single\n    prompt: p\n    choices: [a, b]\n    answer: [a, b]\n    explanation: e\n    sources: [{note: n}]\n"


def error_of(result) -> dict:
    [line] = result.stdout.splitlines()
    return json.loads(line)["error"]


def test_a_bank_error_names_file_and_line(cli, tmp_path):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "t.yaml").write_text(BROKEN_TOPIC)
    result = cli("bank", "list", "--json", "--bank", bank)
    assert result.exit_code == 2 and result.stderr == ""
    error = error_of(result)
    assert error == {"message": "x: answer: a single-answer item has exactly one answer, got 2", "file": str(bank / "t.yaml"), "line": 8, "exit_code": 2}


def test_a_bad_settings_file_names_the_file(cli, home):
    home.mkdir(parents=True)
    (home / "config.json").write_text("[1, 2]")
    result = cli("stats", "--json")
    assert result.exit_code == 2
    assert error_of(result) == {"message": "settings must be a JSON object", "file": str(home / "config.json"), "line": None, "exit_code": 2}


def test_a_bad_flag_value_and_an_unknown_option(cli):
    misuse = cli("exam", "--json")
    assert misuse.exit_code == 2 and error_of(misuse) == {"message": "--json goes with --history", "file": None, "line": None, "exit_code": 2}
    unknown = cli("stats", "--json", "--bogus")
    assert unknown.exit_code == 2 and unknown.stderr == ""
    error = error_of(unknown)
    assert error["exit_code"] == 2 and error["message"].startswith("No such option: --bogus")


def test_a_store_error_keeps_exit_code_3(cli, home):
    home.mkdir(parents=True)
    (home / "progress.sqlite3").write_bytes(b"not a database at all" * 100)
    result = cli("stats", "--json")
    assert result.exit_code == 3
    error = error_of(result)
    assert error["exit_code"] == 3 and "progress.sqlite3" in f"{error['file']} {error['message']}"


def test_without_json_the_error_stays_one_line_on_stderr(cli, tmp_path):
    result = cli("bank", "list", "--bank", tmp_path / "nope")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
