"""A big community bank and years of reviews, for measuring certdrill at scale.

    python benchmarks/generate.py --items 50000 --reviews 1000000 --out /tmp/cd-50k

writes `<out>/bank/` (a manifest and 100 topic files, all four item types, prose about as long
as the built-in bank's) and `<out>/home/progress.sqlite3` (the reviews over two years ending at
--now, then the card cache rebuilt by replay through `Store.rebuild_cards`). Deterministic for a
given seed. Point CERTDRILL_HOME at `<out>/home` and pass `--bank <out>/bank` to use them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VERSION = 3  # of what generate writes; older output is made again
MARKER = "generated.json"
TYPES = ("single", "single", "single", "multi", "truefalse", "flashcard")  # roughly the built-in bank's mix
WORDS = [
    "task",
    "service",
    "cluster",
    "container",
    "image",
    "registry",
    "role",
    "policy",
    "subnet",
    "route",
    "target",
    "group",
    "listener",
    "log",
    "metric",
    "alarm",
    "deployment",
    "rollout",
    "capacity",
    "provider",
    "node",
    "pod",
    "namespace",
    "secret",
    "volume",
    "mount",
    "network",
    "mode",
    "bridge",
    "awsvpc",
    "host",
    "port",
    "mapping",
    "health",
    "check",
    "draining",
    "scaling",
    "limit",
    "quota",
]


@dataclass(frozen=True)
class Generated:
    bank: Path
    home: Path
    items: int
    reviews: int
    seconds_bank: float
    seconds_reviews: float
    seconds_rebuild: float


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def item_yaml(rng: random.Random, item_id: str, kind: str) -> str:
    prompt = " ".join(sentence(rng, rng.randint(10, 18)) for _ in range(3))
    lines = [f"  - id: {item_id}", f"    type: {kind}", "    prompt: |", f"      {prompt}"]
    if kind in ("single", "multi"):
        choices = [sentence(rng, rng.randint(5, 12)) for _ in range(4)]
        lines.append("    choices:")
        lines.extend(f'      - "{c}"' for c in choices)
        if kind == "multi":
            lines[3] += " (Choose two.)"
            lines.append("    answer: [a, c]")
        else:
            lines.append(f"    answer: {'abcd'[rng.randrange(4)]}")
    elif kind == "truefalse":
        lines.append(f"    answer: {rng.choice(('true', 'false'))}")
    else:
        lines.extend(["    back: |", f"      {sentence(rng, 20)}"])
    explanation = " ".join(sentence(rng, rng.randint(12, 20)) for _ in range(3))
    lines.extend(["    explanation: |", f"      {explanation}", "    tags: [bench]", "    sources:", "      - note: generated.txt", ""])
    return "\n".join(lines)


def write_bank(folder: Path, items: int, files: int, rng: random.Random) -> list[tuple[str, str]]:
    """The bank's files; returns (item id, type) in bank order."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bank.yaml").write_text(f"name: bench-{items}\ntitle: Benchmark bank ({items:,} items)\n", encoding="utf-8")
    out: list[tuple[str, str]] = []
    per_file = -(-items // files)
    for f in range(files):
        ids = range(f * per_file, min(items, (f + 1) * per_file))
        if not ids:
            break
        body = [f"topic: topic-{f:03d}", f"title: Topic {f:03d}", "items:"]
        for n in ids:
            kind = TYPES[n % len(TYPES)]
            item_id = f"t{f:03d}-item-{n:06d}"
            body.append(item_yaml(rng, item_id, kind))
            out.append((item_id, kind))
        (folder / f"topic-{f:03d}.yaml").write_text("\n".join(body) + "\n", encoding="utf-8")
    return out


def review_rows(items: list[tuple[str, str]], total: int, bank: str, rng: random.Random, now: datetime, days: int = 730) -> list[tuple]:
    """`total` reviews, in time order, of a learner who keeps up with FSRS's schedule.

    Items start on random days over the period (in random order, until the total is reached) and
    come back when fsrs (default parameters, retention 0.9: certdrill's defaults) says, up to a day
    late; learning and relearning steps come back the same day. About one answer in six is wrong,
    which with two years of history gives ~25 reviews an item.
    """
    import fsrs

    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    ratings = {r: fsrs.Rating(r) for r in (1, 2, 3, 4)}
    end = now - timedelta(hours=1)
    order = list(items)
    rng.shuffle(order)
    rows: list[tuple] = []
    for n, (item_id, kind) in enumerate(order):
        if len(rows) >= total:
            break
        card = fsrs.Card(card_id=n + 1)
        at = end - timedelta(seconds=rng.random() * days * 86400)
        session = f"{rng.getrandbits(64):016x}"
        first = True
        while at < end and len(rows) < total:
            roll = rng.random()
            rating = 1 if roll < 0.17 else 2 if roll < 0.23 else 4 if roll > 0.95 else 3
            if kind == "flashcard":
                answer, correct = None, None
            else:
                answer, correct = ("[1]" if rating == 1 else "[0]"), int(rating != 1)
            ms = int(at.timestamp() * 1000)
            review_kind = "missed" if not first and rng.random() < 0.05 else "study"
            rows.append(
                (f"{ms:012x}{rng.getrandbits(80):020x}", item_id, bank, ms, rating, answer, correct, rng.randrange(2_000, 60_000), review_kind, session)
            )
            card, _ = scheduler.review_card(card, ratings[rating], review_datetime=at)
            first = False
            gap = card.due - at
            at = card.due + (timedelta(seconds=rng.random() * 86400) if gap >= timedelta(days=1) else timedelta(0))
    rows.sort()
    return rows


def generate(out: Path, items: int, reviews: int, *, files: int = 100, seed: int = 1, now: datetime = NOW) -> Generated:
    from certdrill.store.store import Store

    rng = random.Random(seed)
    started = time.perf_counter()
    listing = write_bank(out / "bank", items, files, rng)
    bank_done = time.perf_counter()
    home = out / "home"
    home.mkdir(parents=True, exist_ok=True)
    store = Store.open(home / "progress.sqlite3")
    try:
        with store.transaction() as conn:
            conn.execute("PRAGMA cache_size = -65536")
            conn.executemany(
                "INSERT INTO reviews (id, item_id, bank, reviewed_at, rating, answer, correct, duration_ms, kind, session_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                review_rows(listing, reviews, f"bench-{items}", rng, now),
            )
        reviews_done = time.perf_counter()
        store.rebuild_cards()
        rebuilt = time.perf_counter()
        count = store.review_count()
    finally:
        store.close()
    made = Generated(out / "bank", home, len(listing), count, bank_done - started, reviews_done - bank_done, rebuilt - reviews_done)
    (out / MARKER).write_text(json.dumps({"version": VERSION, "items": items, "reviews": reviews, "files": files, "seed": seed, "made": made.reviews}))
    return made


def generated(out: Path, items: int, reviews: int, *, files: int = 100, seed: int = 1) -> Generated | None:
    """The data a previous `generate` with the same arguments left in `out`, if it is complete."""
    try:
        meta = json.loads((out / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if meta != {"version": VERSION, "items": items, "reviews": reviews, "files": files, "seed": seed, "made": meta.get("made")}:
        return None
    return Generated(out / "bank", out / "home", items, meta["made"], 0.0, 0.0, 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    result = generate(args.out, args.items, args.reviews, files=args.files, seed=args.seed)
    print(
        f"{result.items:,} items in {result.bank} ({result.seconds_bank:.1f} s); "
        f"{result.reviews:,} reviews in {result.home} ({result.seconds_reviews:.1f} s to insert, {result.seconds_rebuild:.1f} s to rebuild the cards)"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    sys.exit(main())
