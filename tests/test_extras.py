"""A missing optional extra: one exit code (4) and the install command for how certdrill was installed."""

from __future__ import annotations

import sys

import pytest

from certdrill.errors import MissingExtra, install_hint, under_pipx

PIPX = "/home/me/.local/pipx/venvs/certdrill"


@pytest.mark.parametrize(
    ("prefix", "pipx"),
    [(PIPX, True), (r"C:\Users\me\pipx\venvs\certdrill", True), ("/work/venv", False), ("/usr", False), ("/home/me/.venvs/pipx-like", False)],
)
def test_pipx_is_told_by_its_venvs_folder(prefix, pipx):
    assert under_pipx(prefix) is pipx


def test_the_hint_follows_the_installer(monkeypatch):
    assert install_hint("anki") == "pip install 'certdrill[anki]'"
    monkeypatch.setattr(sys, "prefix", PIPX)
    assert install_hint("anki") == "pipx inject certdrill genanki zstandard"
    assert install_hint("optimize") == "pipx inject certdrill fsrs-rs-python"
    assert MissingExtra("x needs y", "optimize").exit_code == 4


def test_under_pipx_the_error_says_pipx_inject(cli, mini, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "genanki", None)
    monkeypatch.setattr(sys, "prefix", PIPX)
    result = cli("export", "-o", tmp_path / "x.apkg", "--bank", mini)
    assert result.exit_code == 4
    assert result.output.strip() == "Error: the anki export needs the genanki package: pipx inject certdrill genanki zstandard"


def test_every_extra_exits_4_and_says_so_in_json(cli, mini, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)
    monkeypatch.setitem(sys.modules, "genanki", None)
    optimize = cli("optimize", "--json")
    export = cli("export", "-o", tmp_path / "x.apkg", "--bank", mini)
    assert (optimize.exit_code, export.exit_code) == (4, 4)
    assert '"exit_code": 4' in optimize.stdout
