"""Shell completion: --show-completion prints the script, --install-completion installs it, and the
script's requests complete commands and options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def certdrill(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "HOME": str(home), "CERTDRILL_HOME": str(home / "data"), **env}
    return subprocess.run([sys.executable, "-m", "certdrill", *args], capture_output=True, text=True, env=full, timeout=60)


@pytest.mark.parametrize(
    ("shell", "marker"), [("bash", "_CERTDRILL_COMPLETE=complete_bash"), ("zsh", "_CERTDRILL_COMPLETE=complete_zsh"), ("fish", "complete_fish")]
)
def test_show_completion_prints_the_script(tmp_path, shell, marker):
    # Typer detects the running shell (shellingham); its documented switch names it instead, for tests.
    result = certdrill("--show-completion", shell, home=tmp_path, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout and "certdrill" in result.stdout


def test_completion_requests_complete_commands_and_options(tmp_path):
    commands = certdrill(home=tmp_path, _CERTDRILL_COMPLETE="complete_bash", COMP_WORDS="certdrill ba", COMP_CWORD="1")
    assert commands.stdout.split() == ["bank", "backup"]
    options = certdrill(home=tmp_path, _CERTDRILL_COMPLETE="complete_bash", COMP_WORDS="certdrill bank list --js", COMP_CWORD="3")
    assert options.stdout.split() == ["--json", "--jsonl"]


def test_install_completion_writes_the_script_and_sources_it(tmp_path):
    result = certdrill("--install-completion", "bash", home=tmp_path, _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "certdrill.sh"
    assert "_CERTDRILL_COMPLETE=complete_bash" in script.read_text()
    assert ".bash_completions/certdrill.sh" in (tmp_path / ".bashrc").read_text()
