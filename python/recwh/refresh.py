"""Fold users with new interactions into the published model, without retraining.

Each ALS iteration ends by solving, for every user, a least-squares problem against the
fixed item factors. `refresh_model` solves that same problem (same confidence weighting,
same regularisation) for the users whose interactions changed since the published model
saw them, or who are new, and rewrites only their factors and ALS candidates. Item
factors stay as trained: a full `recwh train` is the way to update them.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np

from recwh.errors import RecwhError
from recwh.publish import latest_publication
from recwh.tables import PRODUCTION_TABLES, ModelTables
from recwh.train import ITEM_IDX, USER_IDX, AlsParams, input_fingerprint, load_interactions, record_run

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

METRIC_COLUMNS = ("ndcg_at_10", "precision_at_10", "popularity_ndcg_at_10", "rmse")


@dataclass(frozen=True)
class RefreshResult:
    run_id: str | None  # the refresh's model_runs row; None when no user had anything new
    model_run_id: str  # the trained run whose item factors were used
    n_folded: int
    n_new_users: int
    duration_seconds: float


def solve_user_factors(
    item_factors: np.ndarray, yty: np.ndarray, positions: np.ndarray, values: np.ndarray,
    reg_param: float, alpha: float, implicit: bool,
) -> np.ndarray:
    """One user's factors given fixed item factors, exactly as Spark's ALS computes them.

    Implicit (ALS.computeFactors with implicitPrefs): c1 = alpha |r|, preference 1 for r > 0;
        x = (YtY + sum c1 y y^T + lambda n I)^-1 sum_{r > 0} (1 + c1) y
    Explicit: x = (sum y y^T + lambda n I)^-1 sum r y.
    n is the number of the user's positive (explicit: all) ratings: Spark scales regParam by
    it (ALS-WR), which is why this is not the textbook lambda I.
    """
    y = item_factors[positions].astype(np.float64)
    values = values.astype(np.float64)
    if implicit:
        c1 = alpha * np.abs(values)
        a = yty + (y.T * c1) @ y
        b = y.T @ np.where(values > 0, 1.0 + c1, 0.0)
        n = int((values > 0).sum())
    else:
        a = y.T @ y
        b = y.T @ values
        n = len(values)
    a[np.diag_indices_from(a)] += reg_param * n
    return np.linalg.solve(a, b)


def changed_users(current: DataFrame, seen: DataFrame) -> DataFrame:
    """Users of `current` whose interactions differ from `seen` (or who are not in it)."""
    from pyspark.sql import functions as F

    def per_user(df: DataFrame) -> DataFrame:
        return df.groupBy("user_id").agg(
            F.count("*").alias("_n"),
            F.sum(F.xxhash64("item_id", "confidence", "rating")).alias("_h"),
        )

    return per_user(current).join(per_user(seen), ["user_id", "_n", "_h"], "left_anti").select("user_id")


def replace_user_rows(spark: SparkSession, table: str, rows: DataFrame, keys: list[str]) -> None:
    """Make `rows` the only rows of their users in `table`, in one Delta MERGE commit.

    Rows of those users that `rows` lacks are deleted; other users' rows are not touched.
    """
    from delta.tables import DeltaTable
    from pyspark.sql import functions as F

    columns = spark.table(table).columns
    stale = (
        spark.table(table).join(rows.select("user_id").distinct(), "user_id")
        .join(rows.select(*keys), keys, "left_anti")
        .select(*keys).withColumn("_is_stale", F.lit(True))
    )
    source = rows.select(*columns).withColumn("_is_stale", F.lit(False)).unionByName(
        stale, allowMissingColumns=True
    )
    values = {c: f"s.`{c}`" for c in columns}
    (
        DeltaTable.forName(spark, table).alias("t")
        .merge(source.alias("s"), " and ".join(f"t.`{k}` = s.`{k}`" for k in keys))
        .whenMatchedDelete(condition="s._is_stale")
        .whenMatchedUpdate(set=values)
        .whenNotMatchedInsert(condition="not s._is_stale", values=values)
        .execute()
    )


def model_params(row) -> AlsParams:
    """The params a run was trained with (fields unknown to this version are ignored)."""
    params = json.loads(row["params_json"])
    return AlsParams(**{k: v for k, v in params.items() if k in AlsParams.__dataclass_fields__})


def fold_in(
    spark: SparkSession, interactions: DataFrame, params: AlsParams, tables: ModelTables = PRODUCTION_TABLES,
) -> DataFrame:
    """(user_id, features, item_ids, scores): each user's folded-in factors and their top
    `params.candidates` unseen items by ALS score (ties by item_idx, as training ranks them).

    Users are solved in parallel (one pandas group each); the item factors travel with the
    function, so this suits catalogs whose factors fit in an executor's memory.
    """
    import pandas as pd
    from pyspark.sql import functions as F

    items = (
        spark.table(tables.item_factors).join(spark.table(tables.item_index), "item_id")
        .select(ITEM_IDX, "item_id", "features").orderBy(ITEM_IDX).toPandas()
    )
    factors = np.array(items["features"].tolist(), dtype=np.float64).reshape(len(items), -1)
    item_ids = items["item_id"].tolist()
    yty = factors.T @ factors
    implicit, k = params.feedback == "implicit", params.candidates
    value = "confidence" if implicit else "rating"

    def fold(group: pd.DataFrame) -> pd.DataFrame:
        positions = group["item_pos"].to_numpy()
        x = solve_user_factors(factors, yty, positions, group[value].to_numpy(),
                               params.reg_param, params.alpha, implicit)
        scores = factors @ x
        scores[positions] = -np.inf  # seen items are no candidates
        top = np.argsort(-scores, kind="stable")[:k]
        top = top[np.isfinite(scores[top])]
        return pd.DataFrame({
            "user_id": [group["user_id"].iloc[0]],
            "features": [x.astype(np.float32).tolist()],
            "item_ids": [[item_ids[i] for i in top]],
            "scores": [scores[top].tolist()],
        })

    positions = spark.createDataFrame(
        pd.DataFrame({"item_id": item_ids, "item_pos": range(len(item_ids))})
    )
    rows = interactions.where(F.col(value).isNotNull()).join(positions, "item_id")  # unknown items: no factor
    return rows.select("user_id", "item_pos", value).groupBy("user_id").applyInPandas(
        fold, "user_id string, features array<float>, item_ids array<string>, scores array<double>"
    )


def refresh_run_id(model_run_id: str, fingerprint: str) -> str:
    payload = json.dumps({"refresh_of": model_run_id, "input": fingerprint}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def refresh_model(spark: SparkSession, tables: ModelTables = PRODUCTION_TABLES) -> RefreshResult:
    """Fold the users with new interactions since the last publication into the model.

    Writes (one Delta commit each, only those users' rows): ml.user_index (new users get
    the next dense ids), ml.user_factors, ml.als_predictions; then a model_runs row for
    the refresh. Rerunning after an interruption gives the same run id and the same rows.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    started = time.monotonic()
    published = latest_publication(spark)
    if published is None:
        raise RecwhError("nothing has been published yet, so there is no model to refresh",
                         hint="run `recwh run` first")
    trained = [row["run_id"] for row in spark.table(tables.item_factors).select("run_id").limit(1).collect()]
    if trained != [published.model_run_id]:
        raise RecwhError(
            f"the model in {tables.item_factors} (run {trained[0] if trained else 'none'}) is not the "
            f"published one ({published.model_run_id})",
            hint="`recwh run` publishes the trained model (it skips training an unchanged run)",
        )
    base = spark.table(tables.model_runs).where(F.col("run_id") == published.model_run_id).first()
    params = model_params(base)

    current = load_interactions(spark, tables.interactions).cache()
    seen = spark.sql(f"select * from {tables.interactions} version as of {published.interactions_version}")
    users = changed_users(current, seen.select(*current.columns)).cache()
    if users.isEmpty():
        current.unpersist()
        return RefreshResult(None, published.model_run_id, 0, 0, time.monotonic() - started)
    fingerprint = input_fingerprint(current)
    run_id = refresh_run_id(published.model_run_id, fingerprint)

    index = spark.table(tables.user_index)
    first_new = index.agg(F.coalesce(F.max(USER_IDX), F.lit(-1))).first()[0] + 1
    new_users = users.join(index, "user_id", "left_anti").withColumn(
        USER_IDX, (F.row_number().over(Window.orderBy("user_id")) - 1 + first_new).cast("int")
    ).cache()
    n_new = new_users.count()

    folded = fold_in(spark, current.join(users, "user_id"), params, tables).cache()
    n_folded = folded.count()  # a user with only titles the model does not know has nothing to fold
    predictions = folded.select(
        F.lit(run_id).alias("run_id"), "user_id",
        F.posexplode(F.arrays_zip("item_ids", "scores")).alias("pos", "candidate"),
    ).select(
        "run_id", "user_id", F.col("candidate.item_ids").alias("item_id"),
        F.col("candidate.scores").alias("als_score"), (F.col("pos") + 1).cast("int").alias("als_rank"),
    )
    replace_user_rows(spark, tables.user_index, new_users, ["user_id"])
    replace_user_rows(spark, tables.user_factors,
                      folded.select(F.lit(run_id).alias("run_id"), "user_id", "features"), ["user_id"])
    replace_user_rows(spark, tables.als_predictions, predictions, ["user_id", "item_id"])

    duration = time.monotonic() - started
    record_run(spark, base.asDict() | {
        "run_id": run_id,
        "trained_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "n_users": spark.table(tables.user_index).count(),
        "n_interactions": current.count(),
        "input_fingerprint": fingerprint,
        "duration_seconds": duration,
    } | dict.fromkeys(METRIC_COLUMNS), tables.model_runs)  # a refresh is not measured on a holdout
    for df in (folded, new_users, users, current):
        df.unpersist()
    return RefreshResult(run_id, published.model_run_id, n_folded, n_new, duration)
