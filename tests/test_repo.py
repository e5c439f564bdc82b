"""The repository keeps its promises: lint clean, README commands true, docs present."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed with the test extra")
def test_ruff_is_clean():
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(["ruff", *args, "src", "tests"], cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is installed with the test extra")
def test_the_type_checker_is_clean():
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("importlinter") is None, reason="import-linter is installed with the test extra")
def test_the_import_contracts_are_kept():
    """Layers, no circles, the store reached only through the services (pyproject.toml's [tool.importlinter])."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    command = Path(sys.executable).with_name("lint-imports")  # the script import-linter installs beside this Python
    result = subprocess.run([str(command)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0 and "0 broken" in result.stdout, result.stdout + result.stderr


def test_readme_starts_with_install_and_test_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert block[0] == "pip install . && certdrill study"
    assert block[1] == "pip install '.[test]' && python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert block[1] in ci


def test_every_readme_command_exists():
    from typer.main import get_command

    from certdrill.cli import build_app

    root = get_command(build_app())
    blocks = "\n".join(re.findall(r"```\n(.*?)```", (ROOT / "README.md").read_text(), re.S))
    for line in re.findall(r"(?:^|&& |\| )certdrill ([a-z][a-z -]*)", blocks, re.M):
        words = line.split()
        cmd = root
        for word in words:
            if not hasattr(cmd, "commands"):
                break
            assert word in cmd.commands, f"README mentions 'certdrill {line}' but there is no such command"
            cmd = cmd.commands[word]


def test_python_dash_m_works():
    result = subprocess.run([sys.executable, "-m", "certdrill", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("certdrill ")


def test_docs_exist():
    for doc in ("docs/bank-format.md", "docs/progress.schema.json"):
        assert (ROOT / doc).is_file(), doc
