"""Scale: a generated bank and review history, and certdrill's commands run on it as a user would."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from common import certdrill, environment, median, run
from generate import generate, generated

QUESTION = b"Question 1 of"


@dataclass
class Size:
    items: int
    reviews: int
    rebuild_s: float = 0.0
    db_mb: float = 0.0
    bare: float = 0.0  # the bare import of the same run, for ratios
    cold_question: tuple[float, float] = (0.0, 0.0)  # seconds, peak MB
    first_of_day: tuple[float, float] = (0.0, 0.0)
    first_question: tuple[float, float] = (0.0, 0.0)
    missed: tuple[float, float] = (0.0, 0.0)
    stats: tuple[float, float] = (0.0, 0.0)
    export: tuple[float, float] = (0.0, 0.0)
    import_: tuple[float, float] = (0.0, 0.0)
    reimport: tuple[float, float] = (0.0, 0.0)
    due_today: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def peak_mb(self) -> float:
        runs = [self.cold_question, self.first_of_day, self.first_question, self.missed, self.stats, self.export, self.import_, self.reimport]
        return max(peak for _, peak in runs)


def _checked(result, what: str):
    if result.code != 0:
        raise SystemExit(f"{what} failed ({result.code}):\n{result.output[-2000:]}")
    return result


def _timed(args: list[str], env, *, stdin: bytes = b"q\n", until: bytes | None = None, repeat: int = 3) -> tuple[float, float]:
    results = [_checked(run(args, env, stdin=stdin, until=until), " ".join(args[2:])) for _ in range(repeat)]
    return median([r.seconds for r in results]), max(r.peak_mb for r in results)


def _rebuild_seconds(db: Path, folder: Path) -> float:
    """Every card replayed from the log, in process, on a copy of the store."""
    from certdrill.store.store import Store

    copy = folder / "rebuild.sqlite3"
    shutil.copyfile(db, copy)
    store = Store.open(copy)
    try:
        started = time.perf_counter()
        store.rebuild_cards()
        return time.perf_counter() - started
    finally:
        store.close()
        for leftover in folder.glob("rebuild.sqlite3*"):
            leftover.unlink()


def measure(out: Path, items: int, reviews: int, *, bare: float = 0.0, log=print) -> Size:
    folder = out / f"scale-{items}"
    made = generated(folder, items, reviews)
    if made is None:
        shutil.rmtree(folder, ignore_errors=True)
        log(f"  generating {items:,} items and {reviews:,} reviews ...")
        made = generate(folder, items, reviews)
    home = made.home
    for extra in ("cache", "backups"):  # a previous run's bank cache and daily backup
        shutil.rmtree(home / extra, ignore_errors=True)
    size = Size(
        items, made.reviews, rebuild_s=_rebuild_seconds(home / "progress.sqlite3", folder), db_mb=(home / "progress.sqlite3").stat().st_size / 1e6, bare=bare
    )
    bank = str(made.bank)
    env = environment(home)
    log("  first study of the day, cache cold, study, missed, stats ...")
    first = _checked(run(certdrill("study", "--bank", bank), env, stdin=b"q\n", until=QUESTION), "study")
    size.first_of_day = (first.seconds, first.peak_mb)  # the daily backup, and the YAML parsed
    shutil.rmtree(home / "cache", ignore_errors=True)
    size.cold_question = _timed(certdrill("study", "--bank", bank), env, until=QUESTION, repeat=1)
    header = first.output.splitlines()[0] if first.output else ""
    size.due_today = int(header.split(": ")[1].split(" due")[0]) if " due, " in header else 0
    size.first_question = _timed(certdrill("study", "--bank", bank), env, until=QUESTION)
    size.missed = _timed(certdrill("missed", "--bank", bank), env, until=QUESTION)
    size.stats = _timed(certdrill("stats", "--bank", bank), env, stdin=b"")
    log("  export, import into a fresh home and again ...")
    exported = folder / "progress.json"
    size.export = _timed(certdrill("export", "-o", str(exported), "--bank", bank), env, stdin=b"", repeat=1)
    fresh = folder / "home-import"
    shutil.rmtree(fresh, ignore_errors=True)
    size.import_ = _timed(certdrill("import", str(exported)), environment(fresh), stdin=b"", repeat=1)
    size.reimport = _timed(certdrill("import", str(exported)), environment(fresh), stdin=b"", repeat=1)
    shutil.rmtree(fresh, ignore_errors=True)
    exported.unlink(missing_ok=True)
    return size
