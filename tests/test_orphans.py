"""A killed command leaves nothing behind: its workers die with it, and whatever scratch file it was
writing is removed by the next command at the latest."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import certdrill
from certdrill.files import remove_orphans
from support import env_for

SCRATCH = (".progress.sqlite3.{pid}.import", ".progress.sqlite3.{pid}.import-journal", ".out.json.{pid}.tmp", ".config.json.{pid}.tmp")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def big_progress(path: Path, reviews: int, items: int = 400) -> Path:
    """A progress file in export's layout: enough reviews for a replay on worker processes."""
    lines = [
        f'    {{"id": "r{n}", "item_id": "item-{n % items:04d}", "bank": "b", "reviewed_at": "2026-{1 + n % 9:02d}-{1 + n % 27:02d}T{n % 24:02d}:00:00.000Z", "rating": {1 + n % 4}}}'
        for n in range(reviews)
    ]
    path.write_text('{\n  "format": "certdrill-progress",\n  "version": 1,\n  "reviews": [\n' + ",\n".join(lines) + "\n  ]\n}\n")
    return path


def descendants(pid: int) -> list[int]:
    """Every process whose chain of parents reaches `pid` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [child for child, parent in parents.items() if parent == current]
        found.extend(children)
        frontier.extend(children)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_scratch_files_of_a_dead_process_are_removed_and_a_live_ones_kept(tmp_path):
    gone, here = dead_pid(), os.getppid()
    for name in SCRATCH:
        (tmp_path / name.format(pid=gone)).write_text("x")
        (tmp_path / name.format(pid=here)).write_text("x")
    (tmp_path / f".backup.sqlite3.restore-{gone}.tmp").write_text("x")
    (tmp_path / "progress.sqlite3").write_text("kept")
    (tmp_path / ".hidden.tmp").write_text("kept: no process named")
    removed = remove_orphans(tmp_path)
    assert len(removed) == len(SCRATCH) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(n.format(pid=here) for n in SCRATCH), "progress.sqlite3", ".hidden.tmp"])


def test_the_next_command_removes_what_a_killed_one_left(cli, home, mini, tmp_path):
    home.mkdir(parents=True)
    (home / "backups").mkdir()
    gone = dead_pid()
    left = [home / f".progress.sqlite3.{gone}.import", home / f".progress.sqlite3.{gone}.import-wal", home / f".config.json.{gone}.tmp"]
    left.append(home / "backups" / f".progress-20261123T090000-daily-1.sqlite3.{gone}.tmp-journal")
    for path in left:
        path.write_text("x")
    assert cli("stats", "--bank", mini).exit_code == 0
    assert not any(path.exists() for path in left)
    export_left = tmp_path / f".out.json.{gone}.tmp"
    export_left.write_text("x")
    assert cli("export", "-o", tmp_path / "out.json").exit_code == 0
    assert not export_left.exists() and (tmp_path / "out.json").exists()


def test_workers_die_with_their_parent(tmp_path):
    """A parent killed with SIGKILL: its pool's workers follow (PR_SET_PDEATHSIG), they do not linger."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    script = (
        "import time, sys\n"
        "from certdrill.parallel import ordered_map\n"
        "def slow(x):\n    time.sleep(60)\n    return x\n"
        "if __name__ == '__main__':\n"
        "    print('started', flush=True)\n"
        "    list(ordered_map(slow, [[1], [2], [3]], workers=2))\n"
    )
    (tmp_path / "pool.py").write_text(script)
    env = dict(os.environ, PYTHONPATH=str(Path(certdrill.__file__).parents[1]))  # the certdrill under test
    parent = subprocess.Popen([sys.executable, str(tmp_path / "pool.py")], env=env, stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline() == "started\n"
    deadline = time.monotonic() + 10
    while len(workers := descendants(parent.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(workers) >= 2
    parent.kill()
    parent.wait()
    parent.stdout.close()
    time.sleep(2)
    assert [pid for pid in workers if alive(pid)] == []


@pytest.mark.slow
def test_an_import_killed_at_random_moments_leaves_no_process_and_no_scratch_file(tmp_path, home, mini):
    progress = big_progress(tmp_path / "big.json", 120_000)
    env = env_for(home)
    rng = random.Random(15)
    for attempt in range(6):
        for path in list(home.glob("*")) if home.exists() else []:
            if path.is_file():
                path.unlink()
        child = subprocess.Popen(
            [sys.executable, "-m", "certdrill", "import", str(progress)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        time.sleep(rng.uniform(0.3, 4.0))
        family = [child.pid, *descendants(child.pid)]
        child.send_signal(signal.SIGKILL)
        child.wait()
        time.sleep(2)
        assert [pid for pid in family if alive(pid)] == [], f"attempt {attempt}: processes outlived the import"
        child.communicate(timeout=5)  # the pipe closes: no worker holds it open
        after = subprocess.run([sys.executable, "-m", "certdrill", "stats", "--bank", str(mini)], env=env, capture_output=True, text=True, timeout=60)
        assert after.returncode == 0, after.stderr
        scratch = [
            p.name
            for folder in (home, home / "backups")
            if folder.exists()
            for p in folder.iterdir()
            if ".import" in p.name or p.name.endswith((".tmp", ".tmp-journal"))
        ]
        assert scratch == [], f"attempt {attempt}: {scratch}"
