"""Data, config and cache dirs follow XDG through platformdirs; CERTDRILL_HOME overrides all three;
an older certdrill's config.json and cache in the data dir are moved, so no setting is lost."""

from __future__ import annotations

import json
import sys

import pytest

from certdrill import paths

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="XDG variables are the Linux convention")


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("CERTDRILL_HOME", raising=False)
    dirs = {name: tmp_path / name for name in ("data", "config", "cache")}
    for name, folder in dirs.items():
        monkeypatch.setenv(f"XDG_{name.upper()}_HOME", str(folder))
    return dirs


def test_each_dir_follows_its_xdg_variable(xdg):
    assert paths.home_dir() == xdg["data"] / "certdrill"
    assert paths.db_path() == xdg["data"] / "certdrill" / "progress.sqlite3"
    assert paths.config_path() == xdg["config"] / "certdrill" / "config.json"
    assert paths.cache_dir() == xdg["cache"] / "certdrill"


def test_certdrill_home_overrides_all_three(xdg, tmp_path, monkeypatch):
    monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / "mine"))
    assert (paths.home_dir(), paths.config_path(), paths.cache_dir()) == (tmp_path / "mine", tmp_path / "mine" / "config.json", tmp_path / "mine" / "cache")


def test_settings_are_written_to_the_config_dir(cli, xdg, mini):
    assert cli("config", "set", "new-per-day", "30").exit_code == 0
    assert json.loads((xdg["config"] / "certdrill" / "config.json").read_text())["new-per-day"] == 30
    assert cli("bank", "list", "--bank", mini).exit_code == 0
    assert not (xdg["data"] / "certdrill" / "config.json").exists()


def test_an_old_config_and_cache_in_the_data_dir_are_moved(cli, xdg):
    old = xdg["data"] / "certdrill"
    (old / "cache").mkdir(parents=True)
    (old / "cache" / "entry").write_text("cached")
    (old / "config.json").write_text(json.dumps({"new-per-day": 7}))
    shown = cli("config", "show", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["new-per-day"] == 7
    assert (xdg["config"] / "certdrill" / "config.json").exists() and not (old / "config.json").exists()
    assert paths.cache_dir() == xdg["cache"] / "certdrill"
    assert (xdg["cache"] / "certdrill" / "entry").read_text() == "cached" and not (old / "cache").exists()


def test_an_old_config_that_cannot_be_moved_is_still_read(cli, xdg):
    old = xdg["data"] / "certdrill"
    old.mkdir(parents=True)
    (old / "config.json").write_text(json.dumps({"reviews-per-day": 99}))
    xdg["config"].write_text("not a folder")  # the config dir cannot be made
    shown = cli("config", "show", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["reviews-per-day"] == 99
