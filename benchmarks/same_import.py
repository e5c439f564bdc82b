"""Does this checkout's `certdrill import` make the store another checkout's makes? Table by table.

    python benchmarks/same_import.py PROGRESS.json OTHER_SRC [--rich WORK]

Both import the file into a fresh home (each a fresh process); then every table of the two stores
is compared row by row: reviews, tombstones, suspensions, exams and their answers, meta exactly,
cards exactly but for stability and difficulty (within the batch replay's `STATE_TOLERANCE`,
relative), and the settings file. `--rich WORK` first makes, from PROGRESS.json's own reviews, a
file that also has undone answers, suspensions, a mock exam and a setting (export of a copy of its
import with those added), and compares the imports of that one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from common import FROZEN_NOW, ROOT

TOLERANCE = 1e-5  # schedule.batch.STATE_TOLERANCE
FLOATS = ("stability", "difficulty")


def run(src: Path, home: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(src), CERTDRILL_HOME=str(home), CERTDRILL_NOW=FROZEN_NOW, NO_COLOR="1", TZ="UTC")
    done = subprocess.run([sys.executable, "-m", "certdrill", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} with {src} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def imported(src: Path, progress: Path, home: Path) -> Path:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    run(src, home, "import", str(progress))
    return home


def differences(a: Path, b: Path) -> list[str]:
    """What differs between the stores (and settings) of two homes; empty when they agree."""
    out = []
    one, two = sqlite3.connect(a / "progress.sqlite3"), sqlite3.connect(b / "progress.sqlite3")
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    if one.execute(schema).fetchall() != two.execute(schema).fetchall():
        out.append("schema differs")
    for (table,) in one.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        columns = [row[1] for row in one.execute(f"PRAGMA table_info({table})")]
        order = ", ".join(columns)
        rows_a = one.execute(f"SELECT {order} FROM {table} ORDER BY {order}").fetchall()
        rows_b = two.execute(f"SELECT {order} FROM {table} ORDER BY {order}").fetchall()
        if len(rows_a) != len(rows_b):
            out.append(f"{table}: {len(rows_a)} rows against {len(rows_b)}")
            continue
        loose = [i for i, name in enumerate(columns) if table == "cards" and name in FLOATS]
        bad = 0
        for x, y in zip(rows_a, rows_b, strict=True):
            if x == y:
                continue
            exact = all(x[i] == y[i] for i in range(len(columns)) if i not in loose)
            close = all(x[i] == y[i] or (x[i] is not None and y[i] is not None and abs(x[i] - y[i]) <= TOLERANCE * abs(y[i])) for i in loose)
            bad += not (exact and close)
        if bad:
            out.append(f"{table}: {bad} of {len(rows_a)} rows differ")
        print(f"  {table}: {len(rows_a)} rows compared, {bad} differ", file=sys.stderr)
    settings = [sorted(p.name for p in h.glob("*.json")) for h in (a, b)]
    for name in settings[0]:
        if json.loads((a / name).read_text()) != json.loads((b / name).read_text()):
            out.append(f"{name} differs")
    if settings[0] != settings[1]:
        out.append(f"files differ: {settings}")
    return out


def enriched(src: Path, progress: Path, work: Path) -> Path:
    """PROGRESS.json's reviews with undone answers, suspensions, a mock exam and a setting added."""
    home = imported(src, progress, work / "rich-home")
    conn = sqlite3.connect(home / "progress.sqlite3", isolation_level=None)
    conn.execute("BEGIN")
    ids = [row[0] for row in conn.execute("SELECT id FROM reviews ORDER BY id LIMIT 300")]
    conn.executemany("INSERT INTO undone SELECT *, reviewed_at + 1000 FROM reviews WHERE id = ?", [(i,) for i in ids])
    conn.executemany("DELETE FROM reviews WHERE id = ?", [(i,) for i in ids])
    items = [row[0] for row in conn.execute("SELECT item_id FROM cards ORDER BY item_id LIMIT 200")]
    conn.executemany(
        "INSERT INTO suspensions (id, item_id, at, suspended, reason, review_id) VALUES (?, ?, ?, ?, 'manual', NULL)",
        [(f"s{n:05d}", item, 1_760_000_000_000 + n, n % 3 != 2) for n, item in enumerate(items)],
    )
    conn.execute(
        "INSERT INTO exams (id, bank, started_at, finished_at, minutes, count, seed, correct, scaled, passed, per_topic, status) "
        "VALUES (1, 'bench-50000', 1760000000000, 1760000600000, 90.0, 2, 7, 1, 550, 0, '{\"t\": {\"correct\": 1, \"total\": 2}}', 'submitted')"
    )
    conn.executemany(
        "INSERT INTO exam_answers (exam_id, position, item_id, chosen, answered_at, flagged) VALUES (1, ?, ?, '[0]', 1760000100000, 0)",
        [(0, items[0]), (1, items[1])],
    )
    conn.execute("COMMIT")
    conn.close()
    run(src, home, "config", "set", "new-per-day", "33")
    out = work / "rich.json"
    run(src, home, "export", "-o", str(out))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("progress", type=Path)
    parser.add_argument("other_src", type=Path)
    parser.add_argument("--rich", type=Path, help="a work folder: compare the imports of an enriched copy too")
    parser.add_argument("--work", type=Path, default=Path("/tmp/same-import"))
    args = parser.parse_args()
    mine = ROOT / "src"
    files = [args.progress] + ([enriched(mine, args.progress, args.rich)] if args.rich else [])
    failed = False
    for progress in files:
        print(f"{progress}:", file=sys.stderr)
        problems = differences(imported(mine, progress, args.work / "mine"), imported(args.other_src, progress, args.work / "other"))
        print(f"{progress}: " + ("; ".join(problems) if problems else "the same"))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
