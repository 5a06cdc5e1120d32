"""Published versions, fold-in refresh and rollback, on real Spark, Delta and dbt.

Tests in this module run in order on the session warehouse: a run trained without some
users' events, then those users arrive and `recwh refresh` folds them in while a
`deltalake` reader watches the mart, then rollbacks.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from deltalake import DeltaTable
from helpers import NO_DATA_TESTS
from typer.testing import CliRunner

from recwh.cli.main import app
from recwh.tables import (
    ALS_PREDICTIONS,
    FCT_INTERACTIONS,
    PUBLISHED_VERSIONS,
    RAW_CATALOG,
    RAW_EVENTS,
    RAW_USERS,
    RECOMMENDATIONS,
    SOURCE_COLUMN,
    USER_FACTORS,
)

K = 10  # dbt var recommendations_k
runner = CliRunner()
N_NEW_USERS = 30


def recwh(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def recommendations_path(spark) -> str:
    return spark.sql(f"describe detail {RECOMMENDATIONS}").first()["location"].removeprefix("file:")


@pytest.fixture(scope="module")
def without_data_tests():
    """What this module checks is publishing, the fold-in and the commits: builds skip data tests."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in NO_DATA_TESTS.items():
            env.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def held_out(spark, without_data_tests):
    """A published run trained without N_NEW_USERS active users' events (kept aside here)."""
    from pyspark.sql import functions as F

    result = recwh("demo", "--users", "250", "--items", "120", "--seed", "7", "--events-per-user", "25")
    assert result.exit_code == 0, result.output
    for table in (RAW_EVENTS, RAW_CATALOG, RAW_USERS):  # other modules' sources
        spark.sql(f"delete from {table} where {SOURCE_COLUMN} != 'demo'")
    events = spark.table(RAW_EVENTS)
    active = events.groupBy("user_id").count().where("count >= 10").select("user_id")
    new_users = [r["user_id"] for r in active.orderBy(F.xxhash64("user_id")).limit(N_NEW_USERS).collect()]
    aside = events.where(F.col("user_id").isin(new_users)).toPandas()
    spark.sql(f"delete from {RAW_EVENTS} where user_id in ({', '.join(repr(u) for u in new_users)})")
    result = recwh("run", "--max-iter", "5", "--rank", "8", "--holdout", "0")
    assert result.exit_code == 0, result.output
    return new_users, aside


def test_run_publishes_its_version_of_the_recommendations(spark, held_out):
    published = spark.table(PUBLISHED_VERSIONS).orderBy("published_at").collect()[-1]
    history = spark.sql(f"describe history {RECOMMENDATIONS}").collect()
    assert published["action"] == "train"
    assert published["recommendations_version"] == history[0]["version"]
    assert history[0]["operation"] == "CREATE OR REPLACE TABLE AS SELECT"
    assert published["run_id"] == spark.table(ALS_PREDICTIONS).first()["run_id"]


def test_fold_in_reproduces_the_trained_user_factors(spark, held_out):
    """ALS ends each iteration by solving users against the item factors: the same solve."""
    from recwh.publish import latest_publication
    from recwh.refresh import fold_in, model_params
    from recwh.train import load_interactions

    run = spark.table("ml.model_runs").where(f"run_id = '{latest_publication(spark).run_id}'").first()
    folded = fold_in(spark, load_interactions(spark), model_params(run)).toPandas().set_index("user_id")
    trained = spark.table(USER_FACTORS).toPandas().set_index("user_id")
    assert set(folded.index) == set(trained.index)
    joined = folded.join(trained, rsuffix="_trained")
    difference = np.abs(np.stack(joined["features"]) - np.stack(joined["features_trained"]))
    assert difference.max() < 1e-4


class Reader(threading.Thread):
    """Reads the mart with `deltalake` (no Spark) in a loop, checking every snapshot is whole."""

    def __init__(self, path: str, n_users: int):
        super().__init__(daemon=True)
        self.path, self.n_users = path, n_users
        self.stopping = threading.Event()
        self.versions, self.problems, self.reads = set(), [], 0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                table = DeltaTable(self.path)
                frame = table.to_pandas(columns=["user_id", "rank"])
            except Exception as exc:  # noqa: BLE001 - any failure to read is what we look for
                self.problems.append(repr(exc))
                continue
            self.reads += 1
            self.versions.add(table.version())
            ranks = frame.groupby("user_id")["rank"].agg(lambda r: sorted(r) == list(range(1, K + 1)))
            if len(frame) != self.n_users * K or len(ranks) != self.n_users or not ranks.all():
                self.problems.append(f"version {table.version()}: {len(frame)} rows, {len(ranks)} users")
            self.stopping.wait(0.1)  # a reader, not a busy loop taking a core from the refresh


def test_refresh_folds_in_new_users_while_readers_see_only_whole_versions(spark, held_out):
    from pyspark.sql import functions as F

    new_users, aside = held_out
    before = spark.table(RECOMMENDATIONS).cache()
    assert before.where(F.col("user_id").isin(new_users)).select("strategy").distinct().collect() == [
        ("cold_start",)
    ]
    # The new users' first 75% of titles (a seeded order) arrive; the rest are held out.
    order = aside[["user_id", "item_id"]].drop_duplicates().sample(frac=1, random_state=3)
    order["position"] = order.groupby("user_id").cumcount()
    order["n"] = order.groupby("user_id")["item_id"].transform("count")
    known = order[order["position"] < (order["n"] * 0.75).round()]
    arriving = aside.merge(known[["user_id", "item_id"]])
    spark.createDataFrame(arriving, spark.table(RAW_EVENTS).schema).write.format("delta") \
        .mode("append").saveAsTable(RAW_EVENTS)
    old_predictions = spark.table(ALS_PREDICTIONS).where(~F.col("user_id").isin(new_users)).toPandas()
    version_before = spark.sql(f"describe history {RECOMMENDATIONS} limit 1").first()["version"]

    reader = Reader(recommendations_path(spark), n_users=before.select("user_id").distinct().count())
    reader.start()
    result = recwh("refresh")
    reader.stopping.set()
    reader.join()

    assert result.exit_code == 0, result.output
    assert f"({N_NEW_USERS} new)" in result.output
    assert reader.problems == [], reader.problems[:3]
    version_after = spark.sql(f"describe history {RECOMMENDATIONS} limit 1").first()["version"]
    assert version_after == version_before + 1, "the rebuild is one Delta commit"
    assert {version_before, version_after} <= reader.versions, (reader.versions, reader.reads)

    published = spark.table(PUBLISHED_VERSIONS).orderBy("published_at").collect()[-1]
    assert (published["action"], published["recommendations_version"]) == ("refresh", version_after)
    after = spark.table(RECOMMENDATIONS).where(F.col("user_id").isin(new_users))
    assert after.select("strategy", "run_id").distinct().collect() == [("hybrid", published["run_id"])]
    # Only users with new interactions were rewritten: the others' ALS rows are as trained.
    untouched = spark.table(ALS_PREDICTIONS).where(~F.col("user_id").isin(new_users)).toPandas()
    columns = ["run_id", "user_id", "item_id", "als_score", "als_rank"]
    assert untouched.sort_values(columns).reset_index(drop=True).equals(
        old_predictions.sort_values(columns).reset_index(drop=True)
    )

    # The folded-in lists rank the held-out titles better than the most popular titles do.
    from recwh.evaluate import most_popular, ranking_metrics

    held = aside.merge(known[["user_id", "item_id"]], how="left", indicator=True)
    relevant = spark.createDataFrame(held[held["_merge"] == "left_only"][["user_id", "item_id"]]) \
        .join(spark.table("marts.dim_items").select("item_id"), "item_id").distinct()
    train = spark.table(FCT_INTERACTIONS).where(F.col("user_id").isin(new_users))
    popular = most_popular(spark.table("marts.item_popularity"), relevant.select("user_id").distinct(), train, K)
    folded = ranking_metrics(after.select("user_id", "item_id", "rank"), relevant, K)
    baseline = ranking_metrics(popular, relevant, K)
    assert folded["ndcg"] > baseline["ndcg"], (folded, baseline)


def test_rollback_restores_an_earlier_runs_recommendations(spark, held_out):
    from pyspark.sql import functions as F

    new_users, _ = held_out
    rows = spark.table(PUBLISHED_VERSIONS).orderBy(F.desc("published_at")).collect()
    refreshed, trained = rows[0], rows[1]

    result = recwh("rollback", "--run", trained["run_id"])
    assert result.exit_code == 0, result.output
    assert f"restored {RECOMMENDATIONS}" in result.output
    restored = spark.table(RECOMMENDATIONS)
    as_published = spark.sql(f"select * from {RECOMMENDATIONS} version as of {trained['recommendations_version']}")
    assert restored.exceptAll(as_published).isEmpty() and as_published.exceptAll(restored).isEmpty()
    assert restored.where(F.col("user_id").isin(new_users)).select("strategy").distinct().collect() == [
        ("cold_start",)
    ]
    assert spark.table(ALS_PREDICTIONS).select("run_id").distinct().collect() == [(trained["run_id"],)]

    listed = recwh("runs")
    assert listed.exit_code == 0 and listed.output.count(trained["run_id"]) == 2, listed.output
    # `recwh runs` reads the files with delta-rs: the same values as Spark's reading of them.
    from recwh.publish import history, publications

    from_files = history()
    assert [{k: v for k, v in row.items() if k != "ndcg_at_10"} for row in from_files] == \
        [p.__dict__ for p in publications(spark)]
    ndcg = spark.table("ml.model_runs").where(F.col("run_id") == trained["run_id"]).first()["ndcg_at_10"]
    assert [row["ndcg_at_10"] for row in from_files if row["model_run_id"] == trained["run_id"]] == [ndcg] * 3

    result = recwh("rollback", "--run", refreshed["run_id"])
    assert result.exit_code == 0, result.output
    assert spark.table(RECOMMENDATIONS).where(F.col("user_id").isin(new_users)) \
        .select("strategy").distinct().collect() == [("hybrid",)]

    result = recwh("rollback", "--run", "no-such-run")
    assert result.exit_code == 1
    assert "run no-such-run has no published recommendations" in result.output
    assert "Hint:" in result.output and refreshed["run_id"] in result.output
