"""`recwh serve`: a real Spark Thrift Server over a warehouse, queried by a real HiveServer2
client and built into by dbt's `cluster` target (method thrift, PyHive)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from subprocess import Popen

import pandas as pd
import pytest
from helpers import free_port, run, start, stop, wait_for_port

from recwh.spark import metastore_in_use, project_dir, spark_bin
from recwh.tables import FCT_INTERACTIONS, RECOMMENDATIONS
from recwh.warehouse import delta_table


@dataclass(frozen=True)
class Server:
    port: int
    process: Popen
    log: Path


@pytest.fixture(scope="module")
def server(tiny_warehouse, tmp_path_factory):
    """One Thrift server for the module: its JVM start is the slow part of every test here."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    process = start("recwh", "serve", "--port", port, home=tiny_warehouse, log=log)
    try:
        wait_for_port(port, process, log, timeout=150)
        yield Server(port, process, log)
    finally:
        stop(process)
    # SIGTERM stops the server cleanly, as Ctrl-C does: the CLI exits 0 and frees the metastore.
    assert process.returncode == 0, log.read_text()
    assert not metastore_in_use(tiny_warehouse)


def beeline(port: int, sql: str, home: Path) -> list[list[str]]:
    """Rows of a query run by the Hive JDBC client that ships in the pyspark wheel."""
    result = run(spark_bin("beeline"), "-u", f"jdbc:hive2://127.0.0.1:{port}", "-n", "recwh",
                 "--silent=true", "--outputformat=csv2", "-e", sql, home=home, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    # Even when silent, beeline prints its prompt in front of the header row.
    header = next(i for i, line in enumerate(lines) if "jdbc:hive2://" in line)
    return [line.split(",") for line in lines[header + 1:]]


def test_serve_answers_sql_over_the_warehouse(server, tiny_warehouse):
    rows = beeline(server.port, f"select count(*), count(distinct user_id) from {RECOMMENDATIONS}", tiny_warehouse)
    expected = delta_table(RECOMMENDATIONS, tiny_warehouse).to_pandas()
    assert rows == [[str(len(expected)), str(expected["user_id"].nunique())]]

    # A second JVM on the same home would fail deep inside Derby: refuse it up front.
    second = run("recwh", "serve", "--port", free_port(), home=tiny_warehouse)
    assert second.returncode == 1
    assert "in use by another process" in second.stderr
    assert "one process per warehouse home" in second.stderr


def delta_frame(home: Path, table: str, key: str) -> pd.DataFrame:
    frame = delta_table(table, home).to_pandas()
    return frame.sort_values(key).reset_index(drop=True)


def last_commit(home: Path, table: str) -> dict:
    return delta_table(table, home).history(1)[0]


# Every kind of node dbt builds, through the server: a seed, a staging view and the contracted
# mart ALS trains on, with their data tests. Not the whole project: over thrift every model and
# test is a round trip through the server, and a full build takes minutes even on tiny data.
CLUSTER_SELECTION = ("event_type_weights", "stg_raw__users", "fct_interactions")
WEIGHTS = "reference.event_type_weights"


def test_dbt_cluster_target_builds_through_the_server(server, tiny_warehouse, tmp_path):
    interactions_before = delta_frame(tiny_warehouse, FCT_INTERACTIONS, "interaction_id")
    version_before = last_commit(tiny_warehouse, FCT_INTERACTIONS)["version"]
    started_ms = time.time() * 1000

    # The server holds the home's Derby lock: dbt can only reach the warehouse through it.
    # A full refresh, since the mart is incremental and a merge of the same raw data writes nothing.
    result = run("dbt", "build", "--profiles-dir", "profiles", "--target", "cluster", "--full-refresh",
                 "--select", *CLUSTER_SELECTION, "--indirect-selection", "cautious",
                 "--target-path", tmp_path / "target", "--log-path", tmp_path / "logs",
                 home=tiny_warehouse, RECWH_THRIFT_PORT=str(server.port))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]

    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    by_kind: dict[str, list[str]] = {}
    for node in results:
        assert node["status"] in ("success", "pass"), node
        by_kind.setdefault(node["unique_id"].split(".")[0], []).append(node["unique_id"].split(".")[-1])
    assert sorted(by_kind["model"]) == ["fct_interactions", "stg_raw__users"]
    assert by_kind["seed"] == ["event_type_weights"]
    assert len(by_kind["test"]) >= 10  # fct_interactions' contract columns and the seed's keys
    assert "target='cluster'" in result.stdout

    # The rows landed in Delta tables, read here without Spark: a new commit of the mart with
    # the same interactions (same raw data), and the seed with the CSV's rows.
    commit = last_commit(tiny_warehouse, FCT_INTERACTIONS)
    assert commit["version"] > version_before
    assert commit["timestamp"] >= started_ms - 1000
    assert commit["operation"].startswith("CREATE OR REPLACE TABLE")
    pd.testing.assert_frame_equal(delta_frame(tiny_warehouse, FCT_INTERACTIONS, "interaction_id"), interactions_before)

    assert last_commit(tiny_warehouse, WEIGHTS)["timestamp"] >= started_ms - 1000
    weights = delta_frame(tiny_warehouse, WEIGHTS, "event_type")
    csv = pd.read_csv(project_dir() / "seeds" / "event_type_weights.csv").sort_values("event_type")
    assert weights["event_type"].tolist() == csv["event_type"].tolist()
    assert weights["weight"].tolist() == pytest.approx(csv["weight"].tolist())
