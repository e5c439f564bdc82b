"""Every test gets its own data dir, a frozen clock, no colour and a fixed width."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests draw the same examples every run, so a red build is this change's fault
# and reproducible; on a workstation they keep exploring (and remember what they found).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

TESTS = Path(__file__).parent
MINI = TESTS / "banks" / "mini"
FROZEN = "2026-11-23T09:00:00+00:00"


@pytest.fixture(autouse=True)
def certdrill_env(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CERTDRILL_HOME", str(home))
    monkeypatch.setenv("CERTDRILL_NOW", FROZEN)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    if hasattr(time, "tzset"):  # the process's local time zone follows TZ only once told to
        time.tzset()
    return home


@pytest.fixture
def controls_allowed(monkeypatch):
    """The loader's refusal of control characters switched off: the outputs must stay inert on their own."""
    monkeypatch.setattr("certdrill.bank.loader.control_problems", lambda *args: [])


@pytest.fixture
def home(certdrill_env) -> Path:
    return certdrill_env


@pytest.fixture
def runner():
    from typer.testing import CliRunner

    return CliRunner()


@pytest.fixture
def cli(runner):
    """Invoke certdrill in-process; returns the Click result."""
    from certdrill.cli import build_app

    app = build_app()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input)

    return invoke


@pytest.fixture
def mini() -> Path:
    return MINI
