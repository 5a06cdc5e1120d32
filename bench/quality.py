"""Recommendation quality of recwh on MovieLens-100k, beside published numbers.

Ingests the data into a fresh, temporary RECWH_HOME, runs `recwh evaluate` (per-user random
75/25 split, seed 42, top 10 excluding training items) and prints its table. Nothing is
written outside the temporary folder; never commit MovieLens data or anything derived from it.
Usage: python bench/quality.py [ML_100K_DIR] [`recwh evaluate` options, e.g. --report]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BENCH = Path(__file__).resolve().parent

# nDCG@10 on this protocol (MovieLens-100k, stratified 75/25 split, top 10 unseen):
# Microsoft Recommenders' benchmark notebook, and a quick-tuned implicit ALS
# (binary confidence, rank 24, regParam 0.1, alpha 1, 20 iterations).
ANCHORS = {"most popular": 0.25, "SAR": 0.382, "BPR": 0.442, "BiVAE": 0.475, "implicit ALS (tuned)": 0.484}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default=str(BENCH.parent.parent / "shared" / "data" / "ml-100k"))
    args, evaluate_args = parser.parse_known_args()  # the rest goes to `recwh evaluate`

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RECWH_HOME": f"{tmp}/home"}
        subprocess.run([str(BIN / "recwh"), "ingest", "movielens", args.data], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        result = subprocess.run([str(BIN / "recwh"), "evaluate", *evaluate_args], env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            sys.exit(f"recwh evaluate failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        # The home is temporary: keep the report (if asked for) beside it, outside any repository.
        # dbt's log goes to stdout too: keep recwh's summary, from its "evaluation <id>:" line.
        output = result.stdout[result.stdout.rfind("\nevaluation ") + 1:]
        for line in result.stdout.splitlines():
            if line.startswith("report: "):
                kept = Path(tempfile.gettempdir()) / f"recwh-quality-{Path(line[8:]).name}"
                shutil.copy(line[8:], kept)
                output = output.replace(line, f"report: {kept}")
    print(f"MovieLens-100k, `recwh evaluate {' '.join(evaluate_args)}` ({elapsed:.0f} s wall)")
    print(output.rstrip())
    print("published nDCG@10 on the same protocol: "
          + ", ".join(f"{name} {value:.3f}" for name, value in ANCHORS.items()))


if __name__ == "__main__":
    main()
