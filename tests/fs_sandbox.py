"""Run certdrill commands with the data folder on a read-only or a full file system, for real.

Used by test_disk_errors.py inside a private mount namespace (`unshare -m`, or `unshare -Urm`
without root), so the mounts vanish with it. Reads a JSON spec as its argument, prints a JSON
report: each command's exit code and output, and what the folder held afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def prepare(spec: dict) -> None:
    home = spec["home"]
    if spec["mount"] == "read-only":
        subprocess.run(["mount", "--bind", home, home], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", home], check=True)
    elif spec["mount"] == "full":
        seed = Path(spec["seed"])
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={spec['size_kb']}k", "tmpfs", home], check=True)
        shutil.copytree(seed, home, dirs_exist_ok=True)
        fill(Path(home), "filler", spec["leave_free_kb"])


def fill(home: Path, name: str, leave_free_kb: int) -> None:
    """Take all but `leave_free_kb` of the free space (a failed last write just means it is full)."""
    stat = os.statvfs(home)
    size = max(stat.f_bavail * stat.f_frsize - leave_free_kb * 1024, 0)
    try:
        with open(home / name, "wb") as fh:
            fh.write(b"\0" * size)
    except OSError:
        pass


def main() -> None:
    spec = json.loads(sys.argv[1])
    prepare(spec)
    env = dict(os.environ, CERTDRILL_HOME=spec["home"], NO_COLOR="1", COLUMNS="100")
    report = {"commands": []}
    for n, command in enumerate(spec["commands"]):
        if command.get("fill_first"):
            fill(Path(spec["home"]), f"filler-{n}", 0)
        done = subprocess.run([sys.executable, "-m", "certdrill", *command["args"]], input=command.get("input", ""), capture_output=True, text=True, env=env)
        report["commands"].append({"args": command["args"], "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr})
    home = Path(spec["home"])
    report["files"] = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and not p.name.startswith("filler"))
    if spec.get("copy_to"):
        for filler in home.glob("filler*"):
            filler.unlink()
        shutil.copytree(home, spec["copy_to"], dirs_exist_ok=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
