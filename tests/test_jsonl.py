"""`bank list --jsonl`: JSON Lines, one item a line, written as it goes (50,000 items in a pipe)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_jsonl_is_the_json_array_one_object_a_line(cli, mini):
    array = json.loads(cli("bank", "list", "--json", "--bank", mini).stdout)
    result = cli("bank", "list", "--jsonl", "--bank", mini)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [json.loads(line) for line in lines] == array
    assert all("\n" not in line and line.startswith("{") for line in lines)


@pytest.mark.slow
def test_jsonl_streams_fifty_thousand_items(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import write_bank
    finally:
        sys.path.pop(0)
    bank = tmp_path / "bank"
    made = write_bank(bank, 50_000, 100, random.Random(1))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CERTDRILL_HOME": str(tmp_path / "home")}
    with subprocess.Popen([sys.executable, "-m", "certdrill", "bank", "list", "--jsonl", "--bank", str(bank)], stdout=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None
        lines = proc.stdout.read().splitlines()
    assert proc.returncode == 0
    assert len(lines) == 50_000
    assert [json.loads(line)["id"] for line in lines] == [item_id for item_id, _ in made]
