"""certdrill against Anki's own engine on the same data, side by side, and against the floors.

    python benchmarks/vs_anki.py                         # 5 pairs a path; the data made once under --out (~5 minutes), then reused
    python benchmarks/vs_anki.py --pairs 7 --only first,stats

Each path runs as a fresh process on both sides, alternately (certdrill, Anki, certdrill, Anki, …;
a floor, where there is one, in the same rounds), so a machine that other work slows down slows
both sides alike; the table gives the medians, their ratio and the spread (min–max). Nothing is
converted through a figure measured at another time. Peak memory is the most a process and its
children (replay workers) held at once (`common.run`).

The data: `generate.py`'s 50,000 items and 1,000,000 reviews; Anki's collection is certdrill's
own `export --format anki --with-progress` (notes, cards with their scheduling, the review log)
imported by Anki with scheduling, with certdrill's daily limits (20 new, 200 reviews). Anki's day
is the machine's, certdrill's the data's frozen clock: both queues are then capped at 200 reviews.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, certdrill, environment, run
from generate import generate, generated

HERE = Path(__file__).resolve().parent
ITEMS, REVIEWS = 50_000, 1_000_000
QUESTION = b"Question 1 of"


def anki(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "anki_side.py"), *args]


def floor(*args: str) -> list[str]:
    return [sys.executable, str(HERE / "floors.py"), *args]


REBUILD = "import sys; from certdrill.store.store import Store; s = Store.open(sys.argv[1]); print(s.rebuild_cards(), 'cards'); s.close()"


@dataclass
class Side:
    """One side of a path: the command, what to do before each run (untimed), the line to time to."""

    args: list[str]
    env: dict[str, str] | None = None
    before: Callable[[], None] = lambda: None
    until: bytes | None = None
    stdin: bytes = b""
    seconds: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)

    def once(self) -> None:
        self.before()
        result = run(self.args, self.env or environment(Path(tempfile.gettempdir())), stdin=self.stdin, until=self.until, timeout=900)
        if result.code != 0:
            raise SystemExit(f"{' '.join(self.args)} failed ({result.code}):\n{result.output[-3000:]}")
        self.seconds.append(result.seconds)
        self.peaks.append(result.peak_mb)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        return f"{self.median:.2f} s ({min(self.seconds):.2f}–{max(self.seconds):.2f})"


@dataclass
class Path_:
    name: str
    mine: Side
    theirs: Side | None = None  # Anki
    floor: Side | None = None
    floor_target: float | None = None  # certdrill ≤ this × the floor
    anki_target: float | None = 1.0  # certdrill ≤ this × Anki


def _fresh(folder: Path) -> Callable[[], None]:
    def clear() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    return clear


def _copy(source: Path, target: Path) -> Callable[[], None]:
    def copy() -> None:
        shutil.rmtree(target.parent, ignore_errors=True)
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)

    return copy


def _step(log: Callable[[str], None], what: str, args: list[str], env: dict[str, str] | None = None) -> None:
    log(f"  {what} ...")
    result = run(args, env or environment(Path(tempfile.gettempdir())), timeout=1800)
    if result.code != 0:
        raise SystemExit(f"{what} failed ({result.code}):\n{result.output[-3000:]}")


def prepare(out: Path, log: Callable[[str], None]) -> dict[str, Path]:
    """The data both sides read, made once and kept under `out`."""
    folder = out / f"scale-{ITEMS}"
    made = generated(folder, ITEMS, REVIEWS)
    if made is None:
        shutil.rmtree(folder, ignore_errors=True)
        log(f"generating {ITEMS:,} items and {REVIEWS:,} reviews ...")
        made = generate(folder, ITEMS, REVIEWS)
    p = {
        "bank": made.bank,
        "home": made.home,
        "db": made.home / "progress.sqlite3",
        "json": out / "progress.json",
        "apkg": out / "anki" / "certdrill.apkg",
        "ref": out / "anki" / "ref" / "collection.anki2",  # FSRS off: what a rebuild starts from
        "col": out / "anki" / "fsrs" / "collection.anki2",  # FSRS on, memory states computed
        "anki_apkg": out / "anki" / "anki.apkg",  # Anki's own export of it, for its import
        "builtin_apkg": out / "anki" / "builtin.apkg",
        "builtin_col": out / "anki" / "builtin" / "collection.anki2",
        "builtin_home": out / "builtin-home",
        "work": out / "work",
    }
    env = environment(made.home)
    bank = str(made.bank)
    if not p["json"].exists():
        _step(log, "certdrill export (JSON)", certdrill("export", "-o", str(p["json"]), "--bank", bank), env)
    if not p["apkg"].exists():
        p["apkg"].parent.mkdir(parents=True, exist_ok=True)
        _step(
            log,
            "certdrill export --format anki --with-progress",
            certdrill("export", "--format", "anki", "--with-progress", "-o", str(p["apkg"]), "--bank", bank),
            env,
        )
    if not p["ref"].exists():
        p["ref"].parent.mkdir(parents=True, exist_ok=True)
        _step(log, "Anki: import into the reference collection", anki("setup", str(p["ref"]), str(p["apkg"])))
    if not p["col"].exists():
        _copy(p["ref"], p["col"])()
        _step(log, "Anki: FSRS on", anki("fsrs_on", str(p["col"])))
    if not p["anki_apkg"].exists():
        _step(log, "Anki: its own .apkg export", anki("export", str(p["col"]), str(p["anki_apkg"])))
    if not p["builtin_col"].exists():
        builtin_env = environment(p["builtin_home"])
        _step(log, "certdrill export --format anki (built-in bank)", certdrill("export", "--format", "anki", "-o", str(p["builtin_apkg"])), builtin_env)
        p["builtin_col"].parent.mkdir(parents=True, exist_ok=True)
        _step(log, "Anki: the built-in bank", anki("setup", str(p["builtin_col"]), str(p["builtin_apkg"])))
    _step(log, "certdrill: bank caches warm", certdrill("study", "--bank", bank), env)
    _step(log, "certdrill: built-in bank cache warm", certdrill("study"), environment(p["builtin_home"]))
    return p


def paths(p: dict[str, Path]) -> list[Path_]:
    env = environment(p["home"])
    bank = str(p["bank"])
    work = p["work"]
    fresh_home = work / "home-import"
    rebuild_db = work / "rebuild" / "progress.sqlite3"
    return [
        Path_(
            "built-in bank: open + first question",
            Side(certdrill("study"), environment(p["builtin_home"]), until=QUESTION, stdin=b"q\n"),
            Side(anki("first", str(p["builtin_col"]))),
        ),
        Path_(
            "50k/1M: open + first question (200-review queue)",
            Side(certdrill("study", "--bank", bank), env, until=QUESTION, stdin=b"q\n"),
            Side(anki("first", str(p["col"]))),
        ),
        Path_("stats vs Anki's counts + stats screen data", Side(certdrill("stats", "--bank", bank), env), Side(anki("stats", str(p["col"])))),
        Path_(
            "export (JSON) vs .apkg with scheduling",
            Side(certdrill("export", "-o", str(work / "out.json"), "--bank", bank), env, before=_fresh(work / "exports")),
            Side(anki("export", str(p["col"]), str(work / "out.apkg"))),
        ),
        Path_(
            "import into a fresh home vs .apkg import",
            Side(certdrill("import", str(p["json"])), environment(fresh_home), before=_fresh(fresh_home)),
            Side(anki("import", str(work / "anki-import" / "collection.anki2"), str(p["anki_apkg"])), before=_fresh(work / "anki-import")),
            Side(floor("import", str(p["json"]), str(work / "floor-import" / "floor.sqlite3")), before=_fresh(work / "floor-import")),
            floor_target=1.5,
        ),
        Path_(
            "rebuild every card vs Anki computing every memory state",
            Side([sys.executable, "-c", REBUILD, str(rebuild_db)], env, before=_copy(p["db"], rebuild_db)),
            Side(anki("rebuild", str(work / "anki-rebuild" / "collection.anki2")), before=_copy(p["ref"], work / "anki-rebuild" / "collection.anki2")),
            Side(floor("rebuild", str(work / "floor-rebuild" / "progress.sqlite3")), before=_copy(p["db"], work / "floor-rebuild" / "progress.sqlite3")),
            floor_target=1.5,
        ),
    ]


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5, help="runs of each side (alternating)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "certdrill-vs-anki")
    parser.add_argument("--only", default="", help="comma-separated words: run only the paths whose name holds one")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    sys.path.insert(0, str(ROOT / "src"))
    args.out.mkdir(parents=True, exist_ok=True)
    p = prepare(args.out, log)
    chosen = [c for c in paths(p) if not args.only or any(w in c.name for w in args.only.split(","))]
    for case in chosen:
        log(f"{case.name} ...")
        for _ in range(args.pairs):
            for side in (case.mine, case.theirs, case.floor):
                if side is not None:
                    side.once()
    fsrs_alone = None
    if not args.only or "floor" in args.only or "rebuild" in args.only:
        shutil.copyfile(p["db"], p["work"] / "fsrs.sqlite3")
        result = run(floor("fsrs", str(p["work"] / "fsrs.sqlite3")), environment(p["home"]))
        fsrs_alone = result.output.strip()
    shutil.rmtree(p["work"], ignore_errors=True)
    print(f"certdrill vs Anki ({args.pairs} runs a side, alternating; medians, min–max)\n")
    print("| path | certdrill | Anki | ratio | target | verdict | floor | ratio to floor | target | verdict | peak MB (certdrill / Anki) |")
    print("|---|---:|---:|---:|---|---|---:|---:|---|---|---:|")
    missed = False
    for case in chosen:
        theirs = case.theirs
        ratio = case.mine.median / theirs.median if theirs else None
        ok = ratio is None or case.anki_target is None or ratio <= case.anki_target
        cells = [case.name, case.mine.spread(), theirs.spread() if theirs else "", f"{ratio:.2f}×" if ratio else ""]
        cells += [f"≤ {case.anki_target}×" if case.anki_target else "", _verdict(ok)]
        missed |= not ok
        if case.floor is not None and case.floor_target is not None:
            to_floor = case.mine.median / case.floor.median
            cells += [case.floor.spread(), f"{to_floor:.2f}×", f"≤ {case.floor_target}×", _verdict(to_floor <= case.floor_target)]
            missed |= to_floor > case.floor_target
        else:
            cells += ["", "", "", ""]
        peak_mine = max(case.mine.peaks)
        cells.append(f"{peak_mine:.0f} / {max(theirs.peaks):.0f}" if theirs else f"{peak_mine:.0f}")
        missed |= peak_mine >= 300
        print("| " + " | ".join(cells) + " |")
    if fsrs_alone:
        print(f"\nThe fsrs-rs call alone (memory states of every card, in process): {fsrs_alone}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
