"""`certdrill sync --git`: the shared folder is a git work tree; pull before the sync, commit this
device's files and push after it. Only git's own commands, run as a user would run them; a pull or
push that fails (offline, no remote) is said in a note and the sync still reads and writes files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from certdrill.services.sync_state import SyncSkipped

TIMEOUT_S = 120


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL, check=False)
    except FileNotFoundError:
        raise SyncSkipped("--git: git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise SyncSkipped(f"--git: git {args[0]} took more than {TIMEOUT_S} s") from None


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {result.returncode}"


def check_repository(folder: Path) -> None:
    if _git(folder, "rev-parse", "--is-inside-work-tree").stdout.strip() != "true":
        raise SyncSkipped(f"--git: {folder} is not a git work tree (git init, or git clone your repository there)")


def _has_remote(folder: Path) -> bool:
    return bool(_git(folder, "remote").stdout.strip())


def _has_commits(folder: Path) -> bool:
    return _git(folder, "rev-parse", "--verify", "-q", "HEAD").returncode == 0


def pull(folder: Path) -> list[str]:
    """Bring other devices' files in; notes for what did not work."""
    check_repository(folder)
    if not _has_remote(folder):
        return ["git: no remote; committing here only"]
    upstream = _git(folder, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}")
    if upstream.returncode != 0:
        fetched = _git(folder, "fetch", "origin")
        if fetched.returncode != 0:
            return [f"git pull failed ({_last_line(fetched)}); synced with the files as they are"]
        branch = _git(folder, "symbolic-ref", "--short", "HEAD").stdout.strip() or "main"
        if _git(folder, "rev-parse", "--verify", "-q", f"origin/{branch}").returncode != 0:
            return []  # nothing pushed there yet
        merged = _git(folder, *_identity(folder), "merge", "--no-edit", f"origin/{branch}")
        return [] if merged.returncode == 0 else [f"git merge failed ({_last_line(merged)}); synced with the files as they are"]
    pulled = _git(folder, *_identity(folder), "pull", "--no-rebase", "--no-edit")
    return [] if pulled.returncode == 0 else [f"git pull failed ({_last_line(pulled)}); synced with the files as they are"]


def commit_and_push(folder: Path, device: str) -> list[str]:
    """Commit this device's folder (only it: no other device's file is ever this device's to commit) and push."""
    own = f"certdrill/{device}"
    _git(folder, "add", "-A", "--", own)
    staged = _git(folder, "diff", "--cached", "--quiet", "--", own)
    if staged.returncode != 0 or not _has_commits(folder):
        committed = _git(folder, *_identity(folder), "commit", "-q", "-m", f"certdrill sync from {device}", "--", own)
        if committed.returncode != 0 and "nothing" not in _last_line(committed):
            return [f"git commit failed ({_last_line(committed)})"]
    if not _has_remote(folder) or not _has_commits(folder):
        return []
    branch = _git(folder, "symbolic-ref", "--short", "HEAD").stdout.strip() or "main"
    pushed = _git(folder, "push", "-q", "origin", f"HEAD:{branch}")
    return [] if pushed.returncode == 0 else [f"git push failed ({_last_line(pushed)}); it is committed, and the next sync pushes it"]


def _identity(folder: Path) -> list[str]:
    """A committer for git when the user has none configured (a fresh machine or a test)."""
    if _git(folder, "config", "user.email").stdout.strip():
        return []
    return ["-c", "user.name=certdrill", "-c", "user.email=certdrill@localhost"]
