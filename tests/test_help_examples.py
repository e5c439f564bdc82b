"""Every command's --help ends with one to three examples, and each example is a command line the app accepts."""

from __future__ import annotations

import shlex

import pytest
from typer.main import get_command

from certdrill.cli import build_app


def every_command() -> list[list[str]]:
    paths = []

    def walk(cmd, prefix):
        paths.append(prefix)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(build_app()), [])
    return paths


def examples_at_the_end(output: str) -> list[str]:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    assert "Examples:" in lines, output
    return lines[len(lines) - lines[::-1].index("Examples:") :]


def accepts(argv: list[str]) -> None:
    """Parse the command line as certdrill would, without running it (an unknown option raises)."""
    command = get_command(build_app())  # typer's own click: a group is what has commands
    parent = None
    args = list(argv)
    while getattr(command, "commands", None) and args and args[0] in command.commands:
        parent = command.make_context(command.name, [], parent=parent, resilient_parsing=True)
        command = command.commands[args.pop(0)]
    assert not getattr(command, "commands", None), f"{argv} names no command"
    command.make_context(command.name, args, parent=parent)


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "certdrill")
def test_help_ends_with_one_to_three_examples(cli, path):
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.output
    examples = examples_at_the_end(result.output)
    assert 1 <= len(examples) <= 3, examples
    for example in examples:
        words = shlex.split(example)
        assert words[0] == "certdrill", example
        if path:
            assert words[1 : 1 + len(path)] == path or path[0] in ("backup", "config", "bank"), example
        accepts(words[1:])
