"""Does the context help? `recwh evaluate --context` on demo data (and optionally MovieLens).

Generates `recwh demo --users 1000 --items 400 --seed 42` into a fresh, temporary RECWH_HOME,
runs the context protocol (each user's latest 25% of interactions held out, the
context-aware list vs the context-free one on the held-out events' contexts) and prints its
summary and the relative nDCG@10 gain (target: >= +10%). With --movielens DIR it also runs
the protocol on MovieLens, whose events carry no device or country: the context-aware list
must equal the context-free one, and say so. Nothing is written outside the temporary folders.
Usage: python bench/context.py [--users N] [--items M] [--seed S] [--movielens DIR] [`recwh evaluate` options]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def protocol(load: list[str], evaluate_args: list[str]) -> tuple[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RECWH_HOME": f"{tmp}/home"}
        subprocess.run([str(BIN / "recwh"), *load], env=env, check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        result = subprocess.run([str(BIN / "recwh"), "evaluate", "--context", *evaluate_args], env=env,
                                capture_output=True, text=True)
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"recwh evaluate --context failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    # dbt's log goes to stdout too: keep recwh's summary, from its "context evaluation" line.
    return result.stdout[result.stdout.rfind("\ncontext evaluation ") + 1:].rstrip(), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--movielens", help="also run on this MovieLens folder")
    args, evaluate_args = parser.parse_known_args()  # the rest goes to `recwh evaluate`

    demo = ["demo", "--users", str(args.users), "--items", str(args.items), "--seed", str(args.seed)]
    output, elapsed = protocol(demo, evaluate_args)
    print(f"`recwh {' '.join(demo)}`, `recwh evaluate --context {' '.join(evaluate_args)}` ({elapsed:.0f} s wall)")
    print(output)
    if args.movielens:
        output, elapsed = protocol(["ingest", "movielens", args.movielens], evaluate_args)
        print(f"\nMovieLens {args.movielens}, `recwh evaluate --context {' '.join(evaluate_args)}` ({elapsed:.0f} s wall)")
        print(output)


if __name__ == "__main__":
    main()
