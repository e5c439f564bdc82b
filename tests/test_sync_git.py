"""certdrill sync --git: two homes through a real local git repository (a bare one in tmp_path, no network)."""

from __future__ import annotations

import json
import subprocess

import pytest

from test_sync import reviews

pytestmark = pytest.mark.slow


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def test_two_homes_through_a_local_git_repository(tmp_path, monkeypatch, cli, mini):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))  # no user identity: certdrill supplies one
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(remote))
    clones = {}
    for name in ("a", "b"):
        clones[name] = tmp_path / f"clone-{name}"
        git("clone", "-q", str(remote), str(clones[name]))

    def on(name, *args, input=None):
        monkeypatch.setenv("CERTDRILL_HOME", str(tmp_path / name))
        result = cli(*args, input=input)
        assert result.exit_code == 0, result.output
        return result

    on("a", "study", "--bank", mini, "--new", "2", "--seed", "1", input="a\nb\n")
    on("a", "sync", clones["a"], "--git")
    on("b", "study", "--bank", mini, "--new", "1", "--seed", "3", "--new-order", "file", input="b\n")
    first = json.loads(on("b", "sync", clones["b"], "--git", "--json").output)
    assert first["added"] == len(reviews(tmp_path / "a")) and first["notes"] == [
        "every device file was read again (first sync here, or a file was gone or shorter)"
    ]
    on("a", "sync", clones["a"], "--git")
    assert reviews(tmp_path / "a") == reviews(tmp_path / "b")
    log = git("log", "--format=%s", "main", cwd=remote).stdout.splitlines()
    assert len(log) == 2 and all(line.startswith("certdrill sync from ") for line in log)
    changed = git("show", "--name-only", "--format=", "main", cwd=remote).stdout.split()
    device_b = (tmp_path / "b" / "device-id").read_text().strip()
    assert changed and all(path.startswith(f"certdrill/{device_b}/") for path in changed)  # each commit holds one device's files


def test_git_without_a_remote_commits_and_says_so(tmp_path, monkeypatch, cli, mini):
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    work = tmp_path / "repo"
    git("init", "-q", "-b", "main", str(work))
    cli("study", "--bank", mini, "--new", "1", input="a\n")
    result = cli("sync", work, "--git")
    assert result.exit_code == 0, result.output
    assert "git: no remote; committing here only" in result.output
    assert git("log", "--format=%s", cwd=work).stdout.startswith("certdrill sync from ")


def test_git_on_a_folder_that_is_no_repository_is_one_line(tmp_path, cli):
    folder = tmp_path / "plain"
    folder.mkdir()
    result = cli("sync", folder, "--git")
    assert result.exit_code == 2
    assert result.output.strip().startswith(f"Error: --git: {folder} is not a git work tree")
