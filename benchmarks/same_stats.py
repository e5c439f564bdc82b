"""`certdrill stats` of two checkouts on the same 50k/1M data: the same text and JSON, byte for byte.

    python benchmarks/same_stats.py --old /work/main/src            # the data of vs_anki.py --out (made there)
    python benchmarks/same_stats.py --old ../main/src --out /tmp/vs-stats --exam-date 2026-12-20

A faster `stats` must print what the slower one printed: the text report, `--json`, a couple of
topics, every confusion (`--top 1000`), and with an exam date (readiness, the plan's forecast).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import ROOT, certdrill, environment, run
from generate import generated
from vs_anki import ITEMS, REVIEWS

VARIANTS = [[], ["--json"], ["--json", "--topic", "topic-007", "--topic", "topic-042"], ["--json", "--top", "1000"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the src folder of the checkout to compare with")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "vs-stats", help="vs_anki.py's --out")
    parser.add_argument("--exam-date", default="2026-12-20", help="also compare with this exam date ('' to skip)")
    args = parser.parse_args(argv)
    made = generated(args.out / f"scale-{ITEMS}", ITEMS, REVIEWS)
    if made is None:
        raise SystemExit(f"no 50k data under {args.out}: run vs_anki.py --out {args.out} first")
    variants = VARIANTS + ([["--json", "--exam-date", args.exam_date]] if args.exam_date else [])
    different = 0
    for variant in variants:
        outputs = []
        for src in (args.old.resolve(), ROOT / "src"):
            env = environment(made.home, PYTHONPATH=str(src))
            result = run(certdrill("stats", "--bank", str(made.bank), *variant), env, timeout=900)
            if result.code != 0:
                raise SystemExit(f"stats {' '.join(variant)} with {src} failed ({result.code}):\n{result.output[-2000:]}")
            outputs.append(result.output)
        same = outputs[0] == outputs[1]
        different += not same
        print(f"{'same' if same else 'DIFFERENT'}: stats {' '.join(variant)} ({len(outputs[0]):,} characters)")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
