"""Running certdrill as a user would: a fresh process, its time to a line of output, its peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # the in-process parts measure this checkout too
FROZEN_NOW = "2026-11-23T09:00:00+00:00"


def environment(home: Path, **extra: str) -> dict[str, str]:
    """certdrill from this checkout, a given data dir, a frozen clock, no colour, bytecode cached.

    PYTHONDONTWRITEBYTECODE is dropped: an installed certdrill has its .pyc files, and compiling
    every module on every start would measure the compiler, not certdrill.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "FORCE_COLOR")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]),
        CERTDRILL_HOME=str(home),
        CERTDRILL_NOW=FROZEN_NOW,
        NO_COLOR="1",
        COLUMNS="100",
        TZ="UTC",
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class Run:
    seconds: float  # until `until` appeared on stdout, or until exit
    total: float  # until exit
    peak_mb: float  # the most the process and its worker processes held at once (sampled), or any one's own peak if more
    code: int
    output: str


def run(args: list[str], env: dict[str, str], *, stdin: bytes = b"", until: bytes | None = None, timeout: float = 600) -> Run:
    """Start `args`, feed `stdin`, time it to the first `until` on stdout (or exit); report peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdin and proc.stdout
    try:
        proc.stdin.write(stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    seen, chunks = None, []
    buffer = b""
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    sampler = _TreeMemory(proc.pid)
    sampler.start()
    while chunk := proc.stdout.read1(65536):
        chunks.append(chunk)
        if until is not None and seen is None:
            buffer = (buffer + chunk)[-4096:]
            if until in buffer:
                seen = time.perf_counter() - started
    sampler.stop()
    _, status, _ = os.wait4(proc.pid, 0)
    watchdog.cancel()
    total = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = sampler.peak_mb
    return Run(seen if seen is not None else total, total, peak, proc.returncode, b"".join(chunks).decode("utf-8", "replace"))


class _TreeMemory(threading.Thread):
    """The memory of a process and its children (replay workers), from /proc every 0.1 s (Linux).

    Each process's high-water mark (VmHWM, counted from its exec, unlike getrusage's maxrss, which
    a forked child inherits from this big benchmark process) catches a short spike; the sum of the
    proportional sizes (PSS: a page shared by a forked worker and its parent counted once, not
    twice) sampled together, what the workers hold at once.
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while True:
            sizes = [_memory_mb(pid) for pid in _tree(self.pid)]
            self.peak_mb = max(self.peak_mb, sum(rss for rss, _ in sizes), *(hwm for _, hwm in sizes))
            if self.done.wait(0.1):
                return

    def stop(self) -> None:
        self.done.set()
        self.join()


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.parent.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def _memory_mb(pid: int) -> tuple[float, float]:
    """(proportional resident size now, resident size at most), in MB; zeros once the process is gone."""
    return _field_mb(f"/proc/{pid}/smaps_rollup", "Pss:"), _field_mb(f"/proc/{pid}/status", "VmHWM:")


def _field_mb(path: str, key: str) -> float:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def certdrill(*args: str) -> list[str]:
    return [sys.executable, "-m", "certdrill", *args]


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
