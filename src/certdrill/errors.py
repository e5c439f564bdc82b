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


class StoreError(CertdrillError):
    """The progress store cannot be used (corrupt, foreign, read-only, full)."""

    exit_code = 3


class DamagedStoreError(StoreError):
    """The progress database fails SQLite's own check: stop before anything else is written."""
