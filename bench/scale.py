"""Wall time and peak memory per pipeline stage on demo data of growing size.

For each size, in a fresh warehouse home: `recwh demo` (generation + ingest into raw), then
`recwh run --force`, whose `stage <name>: <s> s` lines mark where dbt before training,
training and the final marts end. A sampler reads the RSS of the whole process tree (the
Python CLI, its JVM and Python workers) from /proc every half second, and the peak between
two stage lines is that stage's. Growth factors compare each size with the previous one.
Usage: python bench/scale.py [--sizes 100k,1m,10m] [--keep]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent
BENCH = Path(__file__).resolve().parent
# events ~= users x events_per_user (the generator's mean per active user; ~3% cold start)
SIZES = {
    "100k": {"users": 1_000, "items": 2_000, "events_per_user": 100},
    "1m": {"users": 10_000, "items": 5_000, "events_per_user": 100},
    "10m": {"users": 100_000, "items": 20_000, "events_per_user": 100},
}
STAGES = ("ingest (demo)", "dbt before training", "train", "final marts")
STAGE_LINE = re.compile(r"^stage (.+): ([\d.]+) s$")
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
    return total


def run_stages(args: list[str], env: dict[str, str], log, single_stage: str | None) -> dict[str, tuple[float, int]]:
    """Run a command; {stage: (seconds, peak RSS bytes)} from its stage lines (or one stage for all of it).

    Each stage is also printed as it ends, so a run stopped before the table still leaves its figures.
    """
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(process.pid))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stages = {}
    for line in process.stdout:
        log.write(line)
        log.flush()
        match = STAGE_LINE.match(line.strip())
        if match and single_stage is None:
            stages[match.group(1)] = (float(match.group(2)), peak[0])
            print_stage(log, match.group(1), *stages[match.group(1)])
            peak[0] = 0
    code = process.wait()
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {code}; see {log.name}")
    if single_stage is not None:
        stages[single_stage] = (time.perf_counter() - started, peak[0])
        print_stage(log, single_stage, *stages[single_stage])
    return stages


def print_stage(log, stage: str, seconds: float, peak: int) -> None:
    print(f"{Path(log.name).stem}: {stage} {seconds:.0f} s, peak {gb(peak)}", flush=True)


def gb(n: int) -> str:
    return f"{n / 2**30:.1f} GB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100k,1m,10m", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--root", default=str(BENCH.parent / "warehouse-bench"), help="homes go here, one per size")
    parser.add_argument("--keep", action="store_true", help="keep each size's warehouse home")
    args = parser.parse_args()

    results = {}
    for size in args.sizes.split(","):
        shape = SIZES[size]
        home = Path(args.root) / size
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        env = {**os.environ, "RECWH_HOME": str(home)}
        with open(home.parent / f"{size}.log", "w") as log:
            recwh = str(BIN / "recwh")
            stages = run_stages([recwh, "demo", "--users", str(shape["users"]), "--items", str(shape["items"]),
                                 "--events-per-user", str(shape["events_per_user"]), "--seed", "42"],
                                env, log, single_stage=STAGES[0])
            stages |= run_stages([recwh, "run", "--force"], env, log, single_stage=None)
        events = int(re.search(r"raw\.events: (\d+) rows", (home.parent / f"{size}.log").read_text()).group(1))
        results[size] = (events, stages)
        report(results)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


def report(results: dict) -> None:
    print(f"\n{'size':<6}{'events':>11}  " + "".join(f"{s:>24}" for s in (*STAGES, "total")), flush=True)
    previous = None
    for size, (events, stages) in results.items():
        total = sum(seconds for seconds, _ in stages.values())
        peak = max(rss for _, rss in stages.values())
        cells = [f"{stages[s][0]:7.0f} s {gb(stages[s][1]):>8}" if s in stages else "-" for s in STAGES]
        print(f"{size:<6}{events:>11,}  " + "".join(f"{c:>24}" for c in cells)
              + f"{total:7.0f} s {gb(peak):>8}", flush=True)
        if previous is not None:
            p_events, p_stages = previous
            p_total = sum(seconds for seconds, _ in p_stages.values())
            factors = [f"x{stages[s][0] / p_stages[s][0]:.1f}" if s in stages and s in p_stages else "-"
                       for s in STAGES]
            print(f"{'growth':<6}{'x' + format(events / p_events, '.1f'):>11}  "
                  + "".join(f"{f:>24}" for f in factors) + f"{'x' + format(total / p_total, '.1f'):>17}", flush=True)
        previous = (events, stages)


if __name__ == "__main__":
    main()
