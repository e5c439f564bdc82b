"""Start-up: certdrill's commands against a bare import of its dependencies, timed in the same run.

Runs are interleaved (bare, --version, --help, study, bare, ...) so that a machine that slows down
half-way slows every command alike; the verdict is the ratio of medians.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from common import certdrill, environment, median, run

BARE = [sys.executable, "-c", "import typer, rich.console, pydantic, yaml, fsrs, sqlite3"]
QUESTION = b"Question 1 of"


@dataclass(frozen=True)
class Startup:
    bare: float
    version: float
    help: float
    first_question: float
    runs: int

    def ratio(self, seconds: float) -> float:
        return seconds / self.bare


def measure(home: Path, runs: int) -> Startup:
    env = environment(home)
    commands = {
        "bare": (BARE, b"", None),
        "version": (certdrill("--version"), b"", None),
        "help": (certdrill("--help"), b"", None),
        "study": (certdrill("study"), b"q\n", QUESTION),
    }
    for args, stdin, until in commands.values():  # warm: bytecode written, bank cache built
        result = run(args, env, stdin=stdin, until=until)
        if result.code != 0 or (until and until.decode() not in result.output):
            raise SystemExit(f"{' '.join(args)} failed:\n{result.output}")
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (args, stdin, until) in commands.items():
            times[name].append(run(args, env, stdin=stdin, until=until).seconds)
    return Startup(*(median(times[name]) for name in ("bare", "version", "help", "study")), runs=runs)
