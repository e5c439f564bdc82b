"""Error types the CLI turns into one-line messages and exit codes."""

from __future__ import annotations


class CertdrillError(Exception):
    """A problem the user can fix; never shown as a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}: {self.message}"
        if self.file:
            return f"{self.file}: {self.message}"
        return self.message


class InputError(CertdrillError):
    """Bad input from the user: a bank, a progress file, a flag or a setting."""

    exit_code = 2


class BankError(InputError):
    """A bank that does not load; carries every problem found, each with file and line."""

    def __init__(self, problems: list[CertdrillError]):
        self.problems = problems
        first = problems[0]
        super().__init__(first.message, file=first.file, line=first.line)

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


# The packages each optional extra brings (pyproject.toml's [project.optional-dependencies]).
EXTRAS = {"anki": ("genanki", "zstandard"), "optimize": ("fsrs-rs-python",)}


def under_pipx(prefix: str | None = None) -> bool:
    """certdrill runs from a pipx virtualenv (`~/.local/pipx/venvs/certdrill`, or pipx's own
    folder on another platform): its extras are added with `pipx inject`."""
    import sys

    return "pipx/venvs" in (sys.prefix if prefix is None else prefix).replace("\\", "/")


def install_hint(extra: str) -> str:
    """The command that installs an optional extra the way certdrill itself was installed."""
    if under_pipx():
        return f"pipx inject certdrill {' '.join(EXTRAS[extra])}"
    return f"pip install 'certdrill[{extra}]'"


class MissingExtra(CertdrillError):
    """An optional extra is not installed: always exit 4, with the command that installs it."""

    exit_code = 4

    def __init__(self, needs: str, extra: str, *, file: str | None = None):
        self.needs, self.extra = needs, extra
        super().__init__(f"{needs}: {install_hint(extra)}", file=file)


class StoreError(CertdrillError):
    """The progress store cannot be used (corrupt, foreign, read-only, full)."""

    exit_code = 3


class DamagedStoreError(StoreError):
    """The progress database fails SQLite's own check: stop before anything else is written."""
