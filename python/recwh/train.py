"""Train Spark MLlib ALS on `marts.fct_interactions` and write its outputs back to Delta.

Outputs (schema `ml`): dense id maps, user/item factors, the top unseen ALS candidates per
user, and one `model_runs` row per run. A run's id is derived from its parameters and the
content of its input, so training again on the same data replaces that run's rows
instead of adding new ones.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from recwh import progress
from recwh.errors import RecwhError
from recwh.params import AlsParams
from recwh.warehouse import ensure_schemas, require_table
from recwh.tables import PRODUCTION_TABLES, ModelTables

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

USER_IDX, ITEM_IDX = "user_idx", "item_idx"
REQUIRED_COLUMNS = {"user_id": "string", "item_id": "string", "confidence": "double", "rating": "double"}
EVALUATION_K = 10


@dataclass(frozen=True)
class TrainResult:
    run_id: str
    n_users: int
    n_items: int
    n_interactions: int
    metrics: dict[str, float | None]
    duration_seconds: float
    reg_param: float  # as fitted: given, or chosen on the holdout
    alpha: float  # likewise
    is_skipped: bool = False


def load_interactions(spark: SparkSession, table: str = PRODUCTION_TABLES.interactions) -> DataFrame:
    df = require_table(spark, table, hint="run `dbt build` (or `recwh run`) after ingesting data")
    types = dict(df.dtypes)
    wrong = {c: t for c, t in REQUIRED_COLUMNS.items() if types.get(c) != t}
    if wrong:
        raise RecwhError(f"{table} lacks columns of the expected types: {wrong}")
    return df.select(*REQUIRED_COLUMNS)


def index_ids(interactions: DataFrame, id_col: str, idx_col: str) -> DataFrame:
    """Dense 0-based integer ids, as ALS requires; the string id stays the public one."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    return (
        interactions.select(id_col).distinct()
        .withColumn(idx_col, (F.row_number().over(Window.orderBy(id_col)) - 1).cast("int"))
    )


def input_fingerprint(interactions: DataFrame) -> str:
    from pyspark.sql import functions as F

    row = interactions.agg(
        F.count("*").alias("n"),
        F.sum(F.xxhash64("user_id", "item_id", "confidence", "rating")).cast("string").alias("h"),
    ).first()
    return f"{row['n']}:{row['h']}"


def make_run_id(params: AlsParams, fingerprint: str) -> str:
    payload = json.dumps({"params": asdict(params), "input": fingerprint}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def build_als(params: AlsParams):
    """An ALS estimator for params with regParam and alpha fixed (see AlsParams.resolved)."""
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import SparkSession

    # Users and items in one block per task slot, as Spark's RDD-based ALS sizes them by default,
    # not this API's fixed 10: on 2 cores, 10 blocks made a fit twice as slow at 100k ratings.
    blocks = SparkSession.active().sparkContext.defaultParallelism
    return ALS(
        userCol=USER_IDX,
        itemCol=ITEM_IDX,
        ratingCol="confidence" if params.feedback == "implicit" else "rating",
        implicitPrefs=params.feedback == "implicit",
        rank=params.rank,
        maxIter=params.max_iter,
        regParam=params.reg_param,
        alpha=params.alpha,
        seed=params.seed,
        coldStartStrategy="drop",
        checkpointInterval=5,
        numUserBlocks=blocks,
        numItemBlocks=blocks,
    )


def training_rows(indexed: DataFrame, params: AlsParams) -> DataFrame:
    from pyspark.sql import functions as F

    if params.feedback == "explicit":
        return indexed.where("rating is not null")
    if params.confidence == "binary":
        return indexed.withColumn("confidence", F.lit(1.0))
    return indexed


def split_per_user(
    interactions: DataFrame, train_ratio: float, seed: int,
    user_col: str = USER_IDX, item_col: str = ITEM_IDX,
) -> tuple[DataFrame, DataFrame]:
    """Per-user stratified random split: each user's interactions in a seeded random order,
    the first round(train_ratio x n) to train, the rest to test.

    round is half-to-even (Python's round, which Microsoft Recommenders' stratified split
    uses), so with train_ratio > 0.5 a user with a single interaction stays whole in train.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    by_user = Window.partitionBy(user_col)
    # A hash, not rand(): rand depends on row order within partitions, which shuffles do
    # not preserve, so train and test could be drawn from different shuffles of a user.
    ordered = Window.partitionBy(user_col).orderBy(F.xxhash64(user_col, item_col, F.lit(seed)), item_col)
    marked = (
        interactions.withColumn("_n", F.count("*").over(by_user))
        .withColumn("_pos", F.row_number().over(ordered))
        .withColumn("_is_test", F.col("_pos") > F.bround(F.col("_n") * train_ratio))
        .drop("_n", "_pos")
        .cache()
    )
    train = marked.where(~F.col("_is_test")).drop("_is_test")
    test = marked.where(F.col("_is_test")).drop("_is_test")
    return train, test


def top_unseen(model, users: DataFrame, seen: DataFrame, k: int) -> DataFrame:
    """Top k items per user by ALS score, excluding items the user has already seen.

    A user needs their top k + (number of items they have seen) to be sure of k unseen ones.
    Asking every user for k + the heaviest history's length made each list as long as that
    user's (ALS keeps and shuffles every list); users are asked in groups instead, by the
    power of two at or above their own k + history, so no list is over twice what its user
    needs and the users whose history is short next to k share one group (one ALS pass each).
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n_seen = seen.groupBy(USER_IDX).agg(F.count("*").alias("_n_seen"))
    sized = (
        users.join(n_seen, USER_IDX, "left")
        .select(USER_IDX, F.pow(2, F.ceil(F.log2(F.lit(k) + F.coalesce("_n_seen", F.lit(0))))).cast("int").alias("_n"))
        .cache()
    )
    scored = None
    for (n,) in sorted(sized.select("_n").distinct().collect()):  # at most log2(k + longest history) groups
        part = model.recommendForUserSubset(sized.where(F.col("_n") == n).select(USER_IDX), n)
        scored = part if scored is None else scored.unionByName(part)
    scored = (
        scored.select(USER_IDX, F.explode("recommendations").alias("rec"))
        .select(USER_IDX, F.col("rec")[ITEM_IDX].alias(ITEM_IDX), F.col("rec.rating").alias("als_score"))
        .join(seen.select(USER_IDX, ITEM_IDX), [USER_IDX, ITEM_IDX], "left_anti")
    )
    ranked = Window.partitionBy(USER_IDX).orderBy(F.desc("als_score"), ITEM_IDX)
    return scored.withColumn("als_rank", F.row_number().over(ranked)).where(F.col("als_rank") <= k)


def ranking_metrics(recommended: DataFrame, test: DataFrame, k: int) -> dict[str, float]:
    """Mean nDCG@k and precision@k over test users, as pyspark's RankingEvaluator computes them."""
    from pyspark.ml.evaluation import RankingEvaluator
    from pyspark.sql import functions as F

    predicted = recommended.groupBy(USER_IDX).agg(
        F.sort_array(F.collect_list(F.struct("als_rank", ITEM_IDX))).alias("ranked")
    ).select(USER_IDX, F.col("ranked")[ITEM_IDX].cast("array<double>").alias("prediction"))
    relevant = test.groupBy(USER_IDX).agg(F.collect_set(F.col(ITEM_IDX).cast("double")).alias("label"))
    joined = relevant.join(predicted, USER_IDX, "left").select(
        "label", F.coalesce("prediction", F.array().cast("array<double>")).alias("prediction")
    ).cache()  # scored twice below: the lists are made once
    evaluator = RankingEvaluator(predictionCol="prediction", labelCol="label", k=k)
    metrics = {
        f"ndcg_at_{k}": evaluator.evaluate(joined, {evaluator.metricName: "ndcgAtK"}),
        f"precision_at_{k}": evaluator.evaluate(joined, {evaluator.metricName: "precisionAtK"}),
    }
    joined.unpersist()
    return metrics


def popularity_baseline(train: DataFrame, test: DataFrame, k: int) -> DataFrame:
    """The most-popular list (by number of users), minus each user's seen items."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    n_seen = train.groupBy(USER_IDX).agg(F.count("*").alias("_n_seen"))
    max_seen = n_seen.agg(F.max("_n_seen")).first()[0] or 0
    popular = (
        train.groupBy(ITEM_IDX).agg(F.count("*").alias("n_users"))
        .orderBy(F.desc("n_users"), ITEM_IDX).limit(k + max_seen)
        .withColumn("_popularity_rank", F.row_number().over(Window.orderBy(F.desc("n_users"), ITEM_IDX)))
    )
    users = test.select(USER_IDX).distinct().join(n_seen, USER_IDX, "left").fillna(0, ["_n_seen"])
    ranked = Window.partitionBy(USER_IDX).orderBy(F.desc("n_users"), ITEM_IDX)
    return (
        # each user only the k + (their seen items) most popular: enough for k unseen ones
        users.join(F.broadcast(popular), F.col("_popularity_rank") <= F.lit(k) + F.col("_n_seen"))
        .drop("_n_seen", "_popularity_rank")
        .join(train.select(USER_IDX, ITEM_IDX), [USER_IDX, ITEM_IDX], "left_anti")
        .withColumn("als_rank", F.row_number().over(ranked))
        .where(F.col("als_rank") <= k)
    )


def evaluate_holdout(indexed: DataFrame, params: AlsParams) -> tuple[AlsParams, dict[str, float | None]]:
    """Fit on each user's interactions but a held-out share, score on that share.

    One fit per AlsParams.holdout_choices (regParam and alpha where not given), keeping the
    best (nDCG@10; RMSE for explicit feedback). Returns the params fitted and their metrics.
    """
    from pyspark.ml.evaluation import RegressionEvaluator

    train, test = split_per_user(indexed, 1 - params.holdout_fraction, params.seed)
    test_users = test.select(USER_IDX).distinct()
    baseline = ranking_metrics(popularity_baseline(train, test, EVALUATION_K), test, EVALUATION_K)
    best: tuple[float, AlsParams, dict, float | None] | None = None
    for candidate in params.holdout_choices:
        model = build_als(candidate).fit(training_rows(train, candidate))
        ranking = ranking_metrics(top_unseen(model, test_users, train, EVALUATION_K), test, EVALUATION_K)
        rmse = None
        if params.feedback == "explicit":
            rmse = RegressionEvaluator(metricName="rmse", labelCol="rating", predictionCol="prediction") \
                .evaluate(model.transform(test.where("rating is not null")))
        score = -rmse if rmse is not None else ranking[f"ndcg_at_{EVALUATION_K}"]
        if best is None or score > best[0]:
            best = (score, candidate, ranking, rmse)
    _, chosen, ranking, rmse = best
    return chosen, {**ranking, f"popularity_ndcg_at_{EVALUATION_K}": baseline[f"ndcg_at_{EVALUATION_K}"], "rmse": rmse}


def write_table(df: DataFrame, name: str) -> None:
    df.write.format("delta").mode("overwrite").option("overwriteSchema", "true").saveAsTable(name)


def record_run(spark: SparkSession, row: dict, table: str = PRODUCTION_TABLES.model_runs) -> None:
    """Upsert the run's row: training the same run again replaces it."""
    from delta.tables import DeltaTable

    run = spark.createDataFrame([row], schema=MODEL_RUNS_SCHEMA)
    if not spark.catalog.tableExists(table):
        run.write.format("delta").saveAsTable(table)
        return
    (
        DeltaTable.forName(spark, table).alias("t")
        .merge(run.alias("s"), "t.run_id = s.run_id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )


MODEL_RUNS_SCHEMA = (
    "run_id string, trained_at timestamp, feedback string, rank int, max_iter int, "
    "reg_param double, alpha double, seed bigint, n_users bigint, n_items bigint, "
    "n_interactions bigint, input_fingerprint string, ndcg_at_10 double, precision_at_10 double, "
    "popularity_ndcg_at_10 double, rmse double, params_json string, duration_seconds double"
)


def current_run(
    spark: SparkSession, run_id: str, tables: ModelTables = PRODUCTION_TABLES,
) -> TrainResult | None:
    """The published run, if it is `run_id`: same params, same input, nothing to retrain."""
    from pyspark.sql import functions as F

    if not (spark.catalog.tableExists(tables.model_runs) and spark.catalog.tableExists(tables.als_predictions)):
        return None
    published = spark.table(tables.als_predictions).select("run_id").limit(1).collect()
    if [row["run_id"] for row in published] != [run_id]:
        return None
    row = spark.table(tables.model_runs).where(F.col("run_id") == run_id).first()
    if row is None:
        return None
    metrics = {name: row[name] for name in ("ndcg_at_10", "precision_at_10", "popularity_ndcg_at_10", "rmse")}
    return TrainResult(run_id, row["n_users"], row["n_items"], row["n_interactions"], metrics,
                       row["duration_seconds"], row["reg_param"], row["alpha"], is_skipped=True)


def train(
    spark: SparkSession, params: AlsParams = AlsParams(), force: bool = False,
    tables: ModelTables = PRODUCTION_TABLES,
) -> TrainResult:
    """Train and publish a run; skipped when the published run already has these params and input.

    `tables` says what it reads and writes: production by default, the eval_* twins for
    `recwh evaluate`.
    """
    from pyspark.sql import functions as F

    started = time.monotonic()
    progress.step(f"ALS: reading {tables.interactions}")
    interactions = load_interactions(spark, tables.interactions).cache()
    fingerprint = input_fingerprint(interactions)
    run_id = make_run_id(params, fingerprint)
    if not force and (previous := current_run(spark, run_id, tables)) is not None:
        interactions.unpersist()
        return previous

    ensure_schemas(spark, tables.schemas)
    progress.step("ALS: mapping user and item ids to dense integers")
    user_index = index_ids(interactions, "user_id", USER_IDX)
    item_index = index_ids(interactions, "item_id", ITEM_IDX)
    write_table(user_index, tables.user_index)
    write_table(item_index, tables.item_index)
    user_index, item_index = spark.table(tables.user_index), spark.table(tables.item_index)
    indexed = (
        interactions.join(user_index, "user_id").join(item_index, "item_id")
        .select(USER_IDX, ITEM_IDX, "confidence", "rating")
        .cache()
    )
    if params.feedback == "explicit" and training_rows(indexed, params).isEmpty():
        raise RecwhError("explicit feedback needs ratings, and fct_interactions has none",
                         hint="use --feedback implicit")

    metrics = {}
    if params.holdout_fraction > 0:
        chosen = "regParam" if params.feedback == "explicit" else "regParam and alpha"
        progress.step(f"ALS: holdout fit and metrics ({params.holdout_fraction:.0%} of each user held out"
                      + (f"; {chosen} chosen from {len(params.holdout_choices)} candidates)"
                         if len(params.holdout_choices) > 1 else ")"))
        params, metrics = evaluate_holdout(indexed, params)
    params = params.resolved()
    progress.step(f"ALS: fitting rank {params.rank}, {params.max_iter} iterations ({params.feedback})")
    model = build_als(params).fit(training_rows(indexed, params))
    progress.step(f"ALS: top {params.candidates} unseen items per user, factors to Delta")

    users = indexed.select(USER_IDX).distinct()
    predictions = (
        top_unseen(model, users, indexed, params.candidates)
        .join(user_index, USER_IDX).join(item_index, ITEM_IDX)
        .select(F.lit(run_id).alias("run_id"), "user_id", "item_id",
                F.col("als_score").cast("double"), F.col("als_rank").cast("int"))
    )
    write_table(predictions, tables.als_predictions)
    for factors, index, id_col, idx_col, name in (
        (model.userFactors, user_index, "user_id", USER_IDX, tables.user_factors),
        (model.itemFactors, item_index, "item_id", ITEM_IDX, tables.item_factors),
    ):
        write_table(
            factors.withColumnRenamed("id", idx_col).join(index, idx_col)
            .select(F.lit(run_id).alias("run_id"), id_col, "features"),
            name,
        )

    n_users, n_items, n_interactions = user_index.count(), item_index.count(), indexed.count()
    duration = time.monotonic() - started
    record_run(spark, {
        "run_id": run_id,
        "trained_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "feedback": params.feedback,
        "rank": params.rank,
        "max_iter": params.max_iter,
        "reg_param": float(params.reg_param),
        "alpha": float(params.alpha),
        "seed": params.seed,
        "n_users": n_users,
        "n_items": n_items,
        "n_interactions": n_interactions,
        "input_fingerprint": fingerprint,
        "ndcg_at_10": metrics.get("ndcg_at_10"),
        "precision_at_10": metrics.get("precision_at_10"),
        "popularity_ndcg_at_10": metrics.get("popularity_ndcg_at_10"),
        "rmse": metrics.get("rmse"),
        "params_json": json.dumps(asdict(params), sort_keys=True),
        "duration_seconds": duration,
    }, tables.model_runs)
    indexed.unpersist()
    interactions.unpersist()
    return TrainResult(run_id, n_users, n_items, n_interactions, metrics, duration, params.reg_param, params.alpha)
