"""kill -9 of `recwh run` mid-training, then a rerun: the tables of an uninterrupted run, without
building the models the killed run had built."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd

from helpers import NO_DATA_TESTS, TINY_ALS, run, start, tail
from recwh.spark import table_path
from recwh.tables import (
    ALS_PREDICTIONS,
    ITEM_INDEX,
    MODEL_RUNS,
    PUBLISHED_VERSIONS,
    RECOMMENDATIONS,
    USER_INDEX,
)
from recwh.warehouse import delta_table


def kill_when(path: Path, process: subprocess.Popen, log: Path, timeout: float = 600) -> None:
    """SIGKILL the process group (recwh and its JVM) as soon as `path` appears."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"finished before {path} appeared, nothing to interrupt:\n{tail(log)}"
        assert time.monotonic() < deadline, f"{path} did not appear in {timeout} s:\n{tail(log)}"
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def table(home: Path, name: str, *columns: str) -> pd.DataFrame:
    frame = delta_table(name, home).to_pandas()
    columns = list(columns) or sorted(frame.columns)
    return frame[columns].sort_values(columns).reset_index(drop=True)


def test_kill_9_mid_training_then_a_rerun_gives_the_uninterrupted_tables(tiny_warehouse, tmp_path):
    home = tmp_path / "home"
    result = run("recwh", "demo", "--users", "40", "--items", "30", "--seed", "1", "--events-per-user", "8",
                 home=home)  # the tiny warehouse's data
    assert result.returncode == 0, result.stdout + result.stderr

    # Killed mid-training, after the whole first dbt build: the id indexes and the new predictions
    # are written, the factors and model_runs are not. (`recwh train` alone runs the same training.)
    log = tmp_path / "run.log"
    kill_when(table_path(ALS_PREDICTIONS, home) / "_delta_log",
              start("recwh", "run", *TINY_ALS, home=home, log=log, **NO_DATA_TESTS), log)
    assert table_path(USER_INDEX, home).exists() and not table_path(MODEL_RUNS, home).exists()

    result = run("recwh", "run", *TINY_ALS, home=home, **NO_DATA_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    # The killed run's dbt stage was complete: the rerun takes over from training.
    assert "resumed from there, 0 dbt nodes rebuilt" in result.stdout

    for name, key in ((USER_INDEX, ()), (ITEM_INDEX, ()), (MODEL_RUNS, ("run_id", "n_users", "n_items")),
                      (RECOMMENDATIONS, ("user_id", "rank", "item_id", "strategy", "reason", "run_id"))):
        pd.testing.assert_frame_equal(table(home, name, *key), table(tiny_warehouse, name, *key), obj=name)
    published = table(home, PUBLISHED_VERSIONS, "run_id", "action")
    assert published.equals(table(tiny_warehouse, PUBLISHED_VERSIONS, "run_id", "action"))
    # Scores: the same model; allow float noise (the cluster test retrains the tiny warehouse's).
    mine, reference = (table(h, ALS_PREDICTIONS, "user_id", "item_id", "als_score") for h in (home, tiny_warehouse))
    assert mine[["user_id", "item_id"]].equals(reference[["user_id", "item_id"]])
    assert (mine["als_score"] - reference["als_score"]).abs().max() < 1e-4
