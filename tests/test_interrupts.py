"""Ctrl-C exits 130 from every command, at any moment: while certdrill's modules import at start-up,
while the command's own modules import, or while it runs.

A Ctrl-C is a KeyboardInterrupt raised wherever Python happens to be; the moments tried here are
the imports, each one a point where the interrupt can land (an import hook raises it at the Nth
module looked up after the entry point starts).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MINI = Path(__file__).parent / "banks" / "mini"

HOOK = """
import sys
from certdrill.cli import main

class Interrupt:
    seen = 0
    def find_spec(self, name, path=None, target=None):
        Interrupt.seen += 1
        if Interrupt.seen == {at}:
            sys.stderr.write("INTERRUPTED AT " + name + "\\n")
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv = ["certdrill", *{argv!r}]
main()
"""


def commands(tmp: Path) -> list[list[str]]:
    """Every command of the app, with arguments it can run with."""
    progress = tmp / "progress.json"
    progress.write_text("{}")
    return [
        ["--version"],
        ["--help"],
        ["study", "--bank", str(MINI)],
        ["missed", "--bank", str(MINI)],
        ["exam", "--bank", str(MINI), "--count", "2"],
        ["stats", "--bank", str(MINI)],
        ["optimize", "--show"],
        ["export", "-o", str(tmp / "out.json"), "--bank", str(MINI)],
        ["import", str(progress)],
        ["bank", "list", "--bank", str(MINI)],
        ["bank", "lint", str(MINI)],
        ["bank", "audit", str(MINI)],
        ["bank", "import", str(ROOT / "tests" / "fixtures" / "import" / "headings.md"), "-o", str(tmp / "bank")],
        ["config", "show"],
        ["config", "set", "new-per-day", "10"],
        ["backup", "list"],
        ["backup", "now"],
        ["backup", "restore", "nope"],
    ]


def run(argv: list[str], at: int, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CERTDRILL_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-c", HOOK.format(at=at, argv=argv)], input="", capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("index", range(18), ids=lambda i: f"command{i}")
def test_ctrl_c_at_any_import_exits_130(tmp_path, index):
    argv = commands(tmp_path)[index]
    fired = 0
    for at in (1, 3, 10, 30, 80, 150, 250, 400):
        result = run(argv, at, tmp_path / "home")
        if "INTERRUPTED AT" not in result.stderr:
            continue  # the command was done before this many imports
        fired += 1
        assert result.returncode == 130, (argv, at, result.stderr)
        assert "Traceback" not in result.stderr, (argv, at, result.stderr)
    if argv != ["--version"]:  # --version imports nothing: there is no import to interrupt
        assert fired >= 2, argv  # a start-up import and a later one at least


def _interrupted_inside_a_print(console):
    """A Ctrl-C that lands inside Rich's bookkeeping: its buffer entered, the `with` that leaves it not yet begun."""
    console._enter_buffer()
    raise KeyboardInterrupt


def test_a_ctrl_c_inside_a_print_still_says_the_exam_is_left_to_resume(cli, mini, home, monkeypatch):
    monkeypatch.setattr("certdrill.ui.exam.run_exam", lambda exam, console, **kw: _interrupted_inside_a_print(console))
    result = cli("exam", "--bank", mini, "--count", "2")
    assert result.exit_code == 130
    assert "is left in progress: certdrill exam --resume continues it" in result.output


def test_a_ctrl_c_inside_a_print_still_shows_the_session_summary(cli, mini, home, monkeypatch):
    monkeypatch.setattr("certdrill.ui.loop.run_session", lambda session, console, **kw: _interrupted_inside_a_print(console))
    result = cli("study", "--bank", mini)
    assert result.exit_code == 130
    assert "Session summary" in result.output
