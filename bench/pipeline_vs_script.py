"""Wall time of `recwh run` on MovieLens-100k against a plain PySpark ALS script, and of a rerun.

A full `recwh run --force` (every model rebuilt and tested, ALS retrained) and the plain
script run as whole processes, alternately (A B A B ...), so drift on a shared machine hits
both; the ratio is taken pair by pair and its median reported. After each full run, a plain
`recwh run` with nothing new ingested measures the rerun, as a share of the full run.
Usage: python bench/pipeline_vs_script.py [ML_100K_DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BENCH = Path(__file__).resolve().parent


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?", default=str(BENCH.parent.parent / "shared" / "data" / "ml-100k"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RECWH_HOME": f"{tmp}/home"}
        ingest = timed([str(BIN / "recwh"), "ingest", "movielens", args.data], env)
        pipeline, script, rerun = [], [], []
        for _ in range(args.repeats):
            pipeline.append(timed([str(BIN / "recwh"), "run", "--force"], env))
            rerun.append(timed([str(BIN / "recwh"), "run"], env))
            script.append(timed([sys.executable, str(BENCH / "plain_als.py"), args.data, f"{tmp}/plain"], env))
        ratios = [p / s for p, s in zip(pipeline, script)]
        shares = [r / p for r, p in zip(rerun, pipeline)]
        print(f"MovieLens-100k, {args.repeats} alternating runs each, wall seconds (min / median / max)")
        print(f"  recwh ingest (once)          {ingest:7.1f}")
        for name, values in (("recwh run --force (full)", pipeline), ("recwh run (nothing new)", rerun),
                             ("plain PySpark ALS script", script)):
            print(f"  {name:<28} {min(values):7.1f} {statistics.median(values):7.1f} {max(values):7.1f}")
        print(f"  ratio full run / script      {min(ratios):7.2f} {statistics.median(ratios):7.2f} {max(ratios):7.2f}")
        print(f"  share rerun / full run       {min(shares):7.2f} {statistics.median(shares):7.2f} {max(shares):7.2f}")


if __name__ == "__main__":
    main()
