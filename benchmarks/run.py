"""Every benchmark of issue 6 in one run, printed as one table of measured figures against targets.

    python benchmarks/run.py                      # 1k, 10k and 50k items (~20 reviews an item); ~10 minutes
    python benchmarks/run.py --sizes 1000 --runs 5   # a quick look

Timings are medians of fresh processes started as a user would (frozen clock, NO_COLOR), and
start-up is a ratio to a bare `python -c "import typer, rich.console, pydantic, yaml, fsrs, sqlite3"`
timed in the same run, interleaved, so a noisy machine moves both sides alike; so are the targets
the issue gives in seconds (see QUIET_BARE_S). Peak memory is the most any certdrill command held
at that size, its replay workers included. Generated data is kept under --out and reused when it
is already there (delete it to regenerate).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import latency
import new_items
import scale
import startup

TARGETS = {
    "version": 0.5,  # × bare import
    "first_question": 1.25,  # × bare import
    "latency_ms": 5.0,
    "big_first_question": 3.0,  # × the built-in bank's first question
    "stats_s": 2.0,
    "missed_s": 2.0,
    "export_s": 10.0,
    "import_s": 30.0,
    "peak_mb": 300.0,
}
# The targets in seconds become ratios through the bare import of a quiet run of this
# machine (2 cores, Python 3.11): 0.22 s. A loaded machine then slows both sides alike.
QUIET_BARE_S = 0.22


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _versions() -> str:
    import importlib.metadata as md

    names = ("typer", "click", "rich", "pydantic", "PyYAML", "fsrs")
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            pass
    return f"Python {platform.python_version()}, " + ", ".join(found)


def table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="bank sizes in items, comma-separated (the largest gets the targets)")
    parser.add_argument("--reviews-per-item", type=int, default=20, help="history length: 20 gives 1,000,000 reviews for 50,000 items")
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per start-up figure")
    parser.add_argument("--answers", type=int, default=500, help="answers timed for the latency figure")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "certdrill-bench")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    args.out.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    started = time.perf_counter()
    log("start-up (built-in bank) ...")
    with tempfile.TemporaryDirectory(prefix="certdrill-startup-") as home:
        up = startup.measure(Path(home), args.runs)
    log("answer latency ...")
    lat = latency.measure(args.answers)
    grown: list[scale.Size] = []
    for items in sizes:
        log(f"scale: {items:,} items ...")
        grown.append(scale.measure(args.out, items, items * args.reviews_per_item, bare=up.bare, log=log))
    big = grown[-1]
    log(f"new items: {big.items:,} ...")
    fresh = new_items.measure(args.out / f"scale-{big.items}" / "bank", args.out / f"scale-{big.items}" / "home" / "progress.sqlite3")

    t = TARGETS

    def seconds_row(what: str, seconds: float, target: float) -> tuple[str, ...]:
        """A target in seconds, judged as a ratio to this run's bare import, like every other: the
        target over the bare import of a quiet run of this machine (QUIET_BARE_S)."""
        allowed = target / QUIET_BARE_S
        ratio = seconds / up.bare
        return ("scale", what, f"{seconds:.2f} s", f"{ratio:.1f}× bare", f"< {target:.0f} s = {allowed:.0f}× bare", _verdict(ratio < allowed))

    first_ratio = big.first_question[0] / up.first_question
    rows = [
        ("start-up", "bare import (the yardstick)", f"{up.bare * 1000:.0f} ms", "1.00×", "", ""),
        (
            "start-up",
            "certdrill --version",
            f"{up.version * 1000:.0f} ms",
            f"{up.ratio(up.version):.2f}×",
            f"≤ {t['version']}×",
            _verdict(up.ratio(up.version) <= t["version"]),
        ),
        ("start-up", "certdrill --help", f"{up.help * 1000:.0f} ms", f"{up.ratio(up.help):.2f}×", "", ""),
        (
            "start-up",
            "study: first question, built-in bank",
            f"{up.first_question * 1000:.0f} ms",
            f"{up.ratio(up.first_question):.2f}×",
            f"≤ {t['first_question']}×",
            _verdict(up.ratio(up.first_question) <= t["first_question"]),
        ),
        (
            "latency",
            "answer → feedback, median (p95), with the durable commit",
            f"{lat.total_median_ms:.2f} ms ({lat.total_p95_ms:.2f})",
            "",
            f"< {t['latency_ms']:.0f} ms",
            _verdict(lat.total_median_ms < t["latency_ms"]),
        ),
        (
            "latency",
            "  of which grade+schedule / commit / render",
            f"{lat.grade_median_ms:.2f} / {lat.commit_median_ms:.2f} / {lat.render_median_ms:.2f} ms",
            "",
            "",
            "",
        ),
        (
            "scale",
            f"first question, {big.items:,} items / {big.reviews:,} reviews",
            f"{big.first_question[0]:.2f} s",
            f"{first_ratio:.2f}× built-in",
            f"≤ {t['big_first_question']}×",
            _verdict(first_ratio <= t["big_first_question"]),
        ),
        ("scale", "first question, cache cold (YAML parsed)", f"{big.cold_question[0]:.2f} s", "", "", ""),
        ("scale", "first study of the day (+ daily backup)", f"{big.first_of_day[0]:.2f} s", "", "", ""),
        seconds_row("missed: first question", big.missed[0], t["missed_s"]),
        seconds_row("stats", big.stats[0], t["stats_s"]),
        seconds_row("export", big.export[0], t["export_s"]),
        seconds_row("import into a fresh home (merge + replay)", big.import_[0], t["import_s"]),
        seconds_row("import of the same file again (nothing new)", big.reimport[0], t["import_s"]),
        ("scale", "peak memory, any command", f"{big.peak_mb:.0f} MB", "", f"< {t['peak_mb']:.0f} MB", _verdict(big.peak_mb < t["peak_mb"])),
        (
            "new items",
            f"queue + first {fresh.answered} answers over {fresh.items:,} new items: sleeps / transactions",
            f"{fresh.session_sleeps} / {fresh.session_transactions}",
            f"{fresh.queue_s * 1000:.0f} ms to queue",
            "0 sleeps, 1 transaction an answer",
            _verdict(fresh.session_sleeps == 0 and fresh.session_transactions == fresh.answered),
        ),
        (
            "new items",
            f"rebuild of {fresh.rebuild_cards:,} cards: sleeps / transactions",
            f"{fresh.rebuild_sleeps} / {fresh.rebuild_transactions}",
            f"{fresh.rebuild_s:.1f} s",
            "0 sleeps, 1 transaction",
            _verdict(fresh.rebuild_sleeps == 0 and fresh.rebuild_transactions == 1),
        ),
    ]
    print(f"certdrill benchmarks: {_versions()}; {time.perf_counter() - started:.0f} s in all\n")
    print(table(rows, ("area", "what", "measured", "ratio", "target", "verdict")))
    print()
    growth = [
        ("reviews", *(f"{s.reviews:,}" for s in grown)),
        ("database", *(f"{s.db_mb:.0f} MB" for s in grown)),
        ("study: first question, cache cold (YAML parsed)", *(f"{s.cold_question[0]:.2f} s" for s in grown)),
        ("study: first question", *(f"{s.first_question[0]:.2f} s" for s in grown)),
        ("missed: first question", *(f"{s.missed[0]:.2f} s" for s in grown)),
        ("stats", *(f"{s.stats[0]:.2f} s" for s in grown)),
        ("export", *(f"{s.export[0]:.2f} s" for s in grown)),
        ("import (fresh home)", *(f"{s.import_[0]:.2f} s" for s in grown)),
        ("rebuild every card (replay)", *(f"{s.rebuild_s:.2f} s" for s in grown)),
        ("peak memory", *(f"{s.peak_mb:.0f} MB" for s in grown)),
    ]
    print(table(growth, ("growth", *(f"{s.items:,} items" for s in grown))))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"versions": _versions(), "startup": asdict(up), "latency": asdict(lat), "sizes": [asdict(s) for s in grown], "new_items": asdict(fresh)},
                indent=2,
            )
        )
    return 0 if all(r[5] != "MISSED" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
