"""A real distributed run: a Spark standalone master and two workers on loopback, driven by `recwh --master`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import TINY_ALS, free_port, run, start, stop, tail, wait_for_port

from recwh.spark import spark_bin
from recwh.tables import ALS_PREDICTIONS
from recwh.warehouse import delta_table

WORKERS = 2


@dataclass(frozen=True)
class Cluster:
    url: str
    work_dirs: list[Path]


def wait_for_workers(master_log: Path, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if master_log.read_text(errors="replace").count("Registering worker") >= count:
            return
        time.sleep(1)
    raise AssertionError(f"{count} workers did not register in {timeout} s:\n{tail(master_log)}")


@pytest.fixture
def standalone_cluster(tiny_warehouse, tmp_path):
    port = free_port()
    spark_class = spark_bin("spark-class")
    master_log = tmp_path / "master.log"
    processes = []
    try:
        master = start(spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                       "--port", port, "--webui-port", "0", home=tiny_warehouse, log=master_log)
        processes.append(master)
        wait_for_port(port, master, master_log)
        work_dirs = []
        for n in range(1, WORKERS + 1):
            work = tmp_path / f"worker-{n}"
            work.mkdir()
            work_dirs.append(work)
            # One core and 1 GiB each: one 1 GiB executor per worker, so both take part.
            processes.append(start(
                spark_class, "org.apache.spark.deploy.worker.Worker", f"spark://127.0.0.1:{port}",
                "--host", "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port", "0",
                "--work-dir", work, home=tiny_warehouse, log=tmp_path / f"worker-{n}.log",
                SPARK_LOCAL_DIRS=str(work),
            ))
        wait_for_workers(master_log, WORKERS)
        yield Cluster(f"spark://127.0.0.1:{port}", work_dirs)
    finally:
        for process in reversed(processes):
            stop(process)


def predictions(home: Path):
    frame = delta_table(ALS_PREDICTIONS, home).to_pandas()
    return frame.set_index(["user_id", "item_id"])


def test_training_on_a_standalone_cluster_matches_a_local_run(tiny_warehouse, standalone_cluster):
    local = predictions(tiny_warehouse)  # the tiny warehouse's model: same params, trained in local mode

    # --force: the same params and input would otherwise skip training as already published.
    result = run("recwh", "--master", standalone_cluster.url, "train", *TINY_ALS, "--force",
                 home=tiny_warehouse)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "trained in" in result.stdout, result.stdout
    distributed = predictions(tiny_warehouse)

    # Both workers' executors ran tasks (each executor logs to app-*/<executor id>/stderr).
    for work in standalone_cluster.work_dirs:
        logs = "".join(log.read_text(errors="replace") for log in work.glob("app-*/*/stderr"))
        assert "Running task" in logs, f"no task ran on the executor in {work}"
    assert set(distributed["run_id"]) == set(local["run_id"]), "same params and input: same run"
    # ALS's blocks are fixed by its params, not by the cluster, and the seed is fixed: the
    # model should be the same. Allow float noise from a different summation order only.
    common = local.join(distributed, how="inner", lsuffix="_local", rsuffix="_cluster")
    assert set(distributed.index.get_level_values("user_id")) == set(local.index.get_level_values("user_id"))
    assert len(common) >= 0.95 * len(local)
    assert (common["als_score_local"] - common["als_score_cluster"]).abs().max() < 1e-4
