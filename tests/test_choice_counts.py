"""Any number of choices with any answer letters: a clean load error or a working item, never a crash."""

from __future__ import annotations

import re
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_fuzz import assert_no_traceback, fresh_home

COMMANDS = [("bank", "lint"), ("study",), ("bank", "list"), ("exam", "--count", "1")]


def topic(kind: str, count: int, answer: list[str]) -> str:
    choices = ", ".join(f"c{n}" for n in range(count))
    key = answer[0] if kind == "single" and len(answer) == 1 else "[" + ", ".join(answer) + "]"
    return f"topic: t\ntitle: T\nitems:\n  - id: x\n    type: {kind}\n    prompt: Pick\n    choices: [{choices}]\n    answer: {key}\n    explanation: e\n    sources: [{{note: n}}]\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["single", "multi"]),
    count=st.integers(0, 30),
    answer=st.lists(st.sampled_from(string.ascii_lowercase), min_size=1, max_size=4),
)
def test_any_choice_count_and_answer_loads_or_is_refused_cleanly(cli, kind, count, answer):
    with fresh_home(), tempfile.TemporaryDirectory() as folder:
        bank = Path(folder) / "b"
        bank.mkdir()
        (bank / "t.yaml").write_text(topic(kind, count, answer))
        codes = set()
        for command in COMMANDS:
            args = [*command, bank] if command[0] == "bank" and command[1] == "lint" else [*command, "--bank", bank]
            result = cli(*args, input="q\n")
            assert_no_traceback(result)
            codes.add(result.exit_code == 2)
            if result.exit_code == 2:
                assert all(re.match(r"^.*t\.yaml:\d+: x: (choices|answer): ", line) for line in result.output.strip().splitlines()), result.output
        assert len(codes) == 1, "every command agrees whether the bank loads"


def test_nine_choices_with_an_answer_past_h_is_one_clean_error_per_problem(cli, tmp_path):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "t.yaml").write_text(topic("single", 10, ["j"]))
    for command in COMMANDS:
        args = [*command, bank] if command[1:] == ("lint",) else [*command, "--bank", bank]
        result = cli(*args, input="q\n")
        assert result.exit_code == 2, result.output
        assert "t.yaml:7: x: choices: at most 8 choices" in result.output
        assert "t.yaml:8: x: answer: 'j' is not one of the choice letters a-h" in result.output
