"""Honest offline evaluation: the real dbt models and ALS, trained on a per-user split.

`evaluate` splits each user's interactions 75/25 (seeded), writes the test pairs to
`eval_ml.holdout_interactions`, builds every dbt model with the var `evaluation` (every
schema prefixed `eval_`, every event of a held-out pair left out), trains ALS on
`eval_marts.fct_interactions` into `eval_ml.*`, builds the hybrid mart into
`eval_marts.recommendations`, and scores several recommenders side by side on the held-out
pairs. Production schemas are never written, except one row per model appended to
`ml.evaluation_runs`.

The metrics are DataFrame code (no driver-side loops over users), defined as Microsoft
Recommenders defines them; see `ranking_metrics_at`.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.tables import (
    DIM_ITEMS,
    EVALUATION_RUNS,
    EVALUATION_TABLES,
    HOLDOUT_INTERACTIONS,
    ML_SCHEMA,
    RAW_EVENTS,
    RECOMMENDATIONS,
    TEST_INTERACTIONS,
    evaluation_name,
)
from recwh.params import AlsParams, Settings
from recwh.train import ITEM_IDX, USER_IDX

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from recwh.tune import TuneParams

USER, ITEM, RANK = "user_id", "item_id", "rank"
MODELS = ("hybrid", "als", "co_occurrence", "content", "most_popular", "explicit_als")
CURVE_MAX_K = 20  # the report's metric-vs-k curves go up to this k
TARGET_DIR = "eval-target"  # dbt artifacts of evaluation builds, apart from production's

EVALUATION_RUNS_SCHEMA = (
    "evaluation_run_id string, evaluated_at timestamp, model_name string, "
    "precision_at_10 double, recall_at_10 double, ndcg_at_10 double, map_at_10 double, "
    "coverage double, rmse double, mae double, n_users bigint, params_json string"
)


def _default_als() -> AlsParams:
    # As `recwh run` trains: regParam and alpha chosen on a holdout, here carved out of the training part.
    return AlsParams()


def _seed_article_als() -> AlsParams:
    # The classic explicit-ratings ALS example: maxIter 10, regParam 0.1, rank 10.
    return AlsParams(feedback="explicit", rank=10, max_iter=10, reg_param=0.1, holdout_fraction=0)


@dataclass(frozen=True)
class EvaluationParams:
    k: int = 10
    train_ratio: float = 0.75
    seed: int = 42  # of the split; the models keep their own seeds
    als: AlsParams = field(default_factory=_default_als)  # the implicit ALS inside the hybrid
    explicit_als: AlsParams = field(default_factory=_seed_article_als)
    dbt_vars: dict = field(default_factory=dict)  # over dbt_project.yml's, e.g. blend weights
    tune: TuneParams | None = None  # first choose ALS params and blend weights on a validation split of train
    report: bool = False  # also write an HTML report with plots (needs matplotlib)

    def __post_init__(self) -> None:
        if self.k < 1:
            raise RecwhError("k must be positive")
        if not 0 < self.train_ratio < 1:
            raise RecwhError("train_ratio must be in (0, 1)")
        if self.als.feedback != "implicit" or self.explicit_als.feedback != "explicit":
            raise RecwhError("the hybrid's ALS is implicit and the seed-article ALS explicit")


@dataclass(frozen=True)
class EvaluationResult:
    evaluation_run_id: str
    rows: list[dict]  # one per model, as appended to ml.evaluation_runs
    n_train: int
    n_test: int
    duration_seconds: float
    report_path: str | None = None


# ---------------------------------------------------------------------------- metrics


def ranking_metrics_at(recommended: DataFrame, relevant: DataFrame, ks: list[int]) -> DataFrame:
    """Mean ranking metrics over the users of `relevant`, one row per k in `ks`.

    recommended: (user_id, item_id, rank), rank 1 = best; relevant: (user_id, item_id).
    Per user, with hits = relevant items in the top k:
      precision@k = hits / k;  recall@k = hits / |relevant|;
      nDCG@k = sum over hits of 1/log2(rank + 1), divided by the ideal DCG of
               min(|relevant|, k) hits at ranks 1, 2, ...;
      MAP@k  = sum over hits of (hits so far / rank), divided by |relevant|
               (Microsoft Recommenders' `map`).
    A user with no recommendations scores 0 and still counts in the mean.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    spark = relevant.sparkSession
    k_values = spark.createDataFrame([(k,) for k in ks], "k int")
    relevant = relevant.select(USER, ITEM).distinct()
    n_relevant = relevant.groupBy(USER).agg(F.count("*").alias("n_relevant"))
    hits = (
        recommended.where(F.col(RANK) <= max(ks))
        .select(USER, ITEM, F.col(RANK).cast("int").alias(RANK))
        .join(relevant, [USER, ITEM])
        .crossJoin(k_values)
        .where(F.col(RANK) <= F.col("k"))
        .withColumn("hits_so_far", F.row_number().over(Window.partitionBy(USER, "k").orderBy(RANK)))
        .groupBy(USER, "k")
        .agg(
            F.count("*").alias("n_hits"),
            F.sum(1 / F.log2(F.col(RANK) + 1)).alias("dcg"),
            F.sum(F.col("hits_so_far") / F.col(RANK)).alias("sum_precision"),
        )
    )
    per_user = (
        n_relevant.crossJoin(k_values)
        .join(hits, [USER, "k"], "left")
        .fillna(0, ["n_hits", "dcg", "sum_precision"])
        .withColumn("idcg", F.expr(
            "aggregate(sequence(1, least(n_relevant, k)), 0D, (acc, i) -> acc + 1 / log2(i + 1))"
        ))
    )
    return (
        per_user.groupBy("k")
        .agg(
            F.avg(F.col("n_hits") / F.col("k")).alias("precision"),
            F.avg(F.col("n_hits") / F.col("n_relevant")).alias("recall"),
            F.avg(F.col("dcg") / F.col("idcg")).alias("ndcg"),
            F.avg(F.col("sum_precision") / F.col("n_relevant")).alias("map"),
            F.count("*").alias("n_users"),
        )
        .orderBy("k")
    )


def ranking_metrics(recommended: DataFrame, relevant: DataFrame, k: int) -> dict[str, float]:
    row = ranking_metrics_at(recommended, relevant, [k]).first()
    return {name: float(row[name]) for name in ("precision", "recall", "ndcg", "map")} | {
        "n_users": int(row["n_users"])
    }


def catalog_coverage(recommended: DataFrame, k: int, catalog_size: int) -> float:
    """Share of the catalog that appears in at least one top-k list."""
    from pyspark.sql import functions as F

    n_items = recommended.where(F.col(RANK) <= k).select(ITEM).distinct().count()
    return n_items / catalog_size if catalog_size else 0.0


def rating_errors(predictions: DataFrame, label: str = "rating", prediction: str = "prediction") -> dict:
    """RMSE and MAE of predicted ratings (None when nothing could be predicted)."""
    from pyspark.sql import functions as F

    error = F.col(prediction) - F.col(label)
    row = predictions.agg(
        F.sqrt(F.avg(error * error)).alias("rmse"), F.avg(F.abs(error)).alias("mae")
    ).first()
    return {"rmse": row["rmse"], "mae": row["mae"]}


# ------------------------------------------------------------------- the recommenders


def top_k_by(candidates: DataFrame, score: str, k: int, ascending: bool = False) -> DataFrame:
    """(user_id, item_id, rank) of each user's best k candidates; ties broken by item_id."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = F.col(score).asc() if ascending else F.col(score).desc()
    ranked = Window.partitionBy(USER).orderBy(order, ITEM)
    return (
        candidates.withColumn(RANK, F.row_number().over(ranked))
        .where(F.col(RANK) <= k)
        .select(USER, ITEM, RANK)
    )


def most_popular(popularity: DataFrame, users: DataFrame, train: DataFrame, k: int) -> DataFrame:
    """The most popular titles (popularity from the training data), minus each user's train items."""
    from pyspark.sql import functions as F

    max_seen = train.groupBy(USER).count().agg(F.max("count")).first()[0] or 0
    pool = popularity.where(F.col("popularity_rank") <= k + max_seen).select(ITEM, "popularity_rank")
    unseen = users.select(USER).crossJoin(pool).join(train.select(USER, ITEM), [USER, ITEM], "left_anti")
    return top_k_by(unseen, "popularity_rank", k, ascending=True)


def seed_article_als(train: DataFrame, test: DataFrame, params: AlsParams, k: int) -> tuple[DataFrame, dict]:
    """Explicit ALS on the train ratings: top k unseen items per test user, and rating errors on test."""
    from pyspark.sql import functions as F

    from recwh.train import build_als, index_ids, top_unseen

    user_index = index_ids(train, USER, USER_IDX).cache()
    item_index = index_ids(train, ITEM, ITEM_IDX).cache()
    indexed_train = train.join(user_index, USER).join(item_index, ITEM).cache()
    rated = indexed_train.where("rating is not null")
    if rated.isEmpty():
        return None, {"rmse": None, "mae": None}
    model = build_als(params).fit(rated)
    test_users = test.select(USER).distinct().join(user_index, USER).select(USER_IDX)
    recommended = (
        top_unseen(model, test_users, indexed_train, k)
        .join(user_index, USER_IDX).join(item_index, ITEM_IDX)
        .select(USER, ITEM, F.col("als_rank").alias(RANK))
    )
    # Test pairs of a user or title unseen in training cannot be predicted (coldStartStrategy drop).
    rated_test = test.where("rating is not null").join(user_index, USER).join(item_index, ITEM)
    return recommended, rating_errors(model.transform(rated_test))


# ------------------------------------------------------------------ the evaluation run


def dbt_vars(params: EvaluationParams) -> dict:
    # The hybrid mart keeps enough ranks for the report's curves; its top k (and the coverage
    # fill's slot, the k-th) is unchanged.
    depth = max(params.k, CURVE_MAX_K) if params.report else params.k
    return {**params.dbt_vars, "evaluation": True, "recommendations_k": depth, "coverage_fill_rank": params.k}


# Evaluation builds measure the models, they do not test them: the production build tests
# the same SQL over all the data. Exposures are no-op nodes in a build.
UNTESTED = ("--exclude-resource-type", "test", "unit_test", "exposure")


def dbt_eval(*args: str, dbt_vars: dict) -> None:
    """dbt into the eval_* schemas, with its own artifacts.

    Always a full refresh: each evaluation holds out other pairs, so the incremental models
    must not merge into what an earlier evaluation left in eval_*.
    """
    from recwh.pipeline import dbt

    dbt(*args, "--vars", json.dumps(dbt_vars, sort_keys=True), "--full-refresh", target_dir=TARGET_DIR)


def write_holdout(spark: SparkSession, pairs: DataFrame, table: str = HOLDOUT_INTERACTIONS) -> None:
    from recwh.train import write_table

    write_table(pairs.select(USER, ITEM, "confidence", "rating"), table)


# What the held-out pairs reach before training: all a rebuild needs once this evaluation has
# built the eval_* warehouse (the validated events and the catalogue's similarity stay as built).
HOLDOUT_REACHES = "source:evaluation+"


def build_interactions(
    spark: SparkSession, held_out: DataFrame | None, dbt_vars: dict, rebuild_all: bool = True
) -> DataFrame:
    """Build eval_marts.fct_interactions from raw by the real models, minus `held_out` pairs.

    `rebuild_all=False` rebuilds only the models the held-out pairs reach: for an eval_*
    warehouse built earlier in the same evaluation, from the same raw data, with vars that
    differ at most in what the models after training read (blend weights, list length).
    """
    from recwh.pipeline import AFTER_TRAINING
    from recwh.train import load_interactions
    from recwh.warehouse import ensure_schemas, require_table

    require_table(spark, RAW_EVENTS, hint="load data first: `recwh ingest movielens PATH` or `recwh demo`")
    ensure_schemas(spark, EVALUATION_TABLES.schemas + [ML_SCHEMA])
    if held_out is None:
        held_out = spark.createDataFrame([], "user_id string, item_id string, confidence double, rating double")
    write_holdout(spark, held_out)
    selected = () if rebuild_all else ("--select", HOLDOUT_REACHES)
    dbt_eval("build", *selected, "--exclude", AFTER_TRAINING, *UNTESTED, dbt_vars=dbt_vars)
    interactions = load_interactions(spark, EVALUATION_TABLES.interactions).cache()
    leaked = interactions.join(held_out, [USER, ITEM], "left_semi").count()
    if leaked:
        raise RecwhError(f"the evaluation build kept {leaked} held-out pairs")
    return interactions


def build_after_training(spark: SparkSession, als: AlsParams, dbt_vars: dict) -> AlsParams:
    """Train ALS on eval_marts.fct_interactions and build the marts that read it, in eval_*.

    Returns the params as fitted (regParam chosen on the holdout when not given)."""
    from recwh.pipeline import AFTER_TRAINING
    from recwh.train import train as train_als

    trained = train_als(spark, als, force=True, tables=EVALUATION_TABLES)
    dbt_eval("build", "--select", AFTER_TRAINING, *UNTESTED, dbt_vars=dbt_vars)
    return replace(als, reg_param=trained.reg_param, alpha=trained.alpha)


def random_split(interactions: DataFrame, params: EvaluationParams) -> tuple[DataFrame, DataFrame]:
    from recwh.train import split_per_user

    return split_per_user(interactions, params.train_ratio, params.seed, USER, ITEM)


def build_evaluation_warehouse(
    spark: SparkSession, params: EvaluationParams, split=random_split
) -> tuple[DataFrame, DataFrame, EvaluationParams]:
    """Split (`split(interactions, params)`, per-user random by default), (tune,) then build
    the eval_* warehouse on the training part.

    Returns (train, test) and the params evaluated, with the tuned settings if tuning.
    """
    # 1. Every interaction, built by the real models from raw, then the split.
    interactions = build_interactions(spark, None, dbt_vars(params))
    train, test = split(interactions, params)
    write_holdout(spark, test, TEST_INTERACTIONS)
    test = spark.table(TEST_INTERACTIONS).cache()
    n_train = train.count()

    # 2. Tuning sees the training part only: it carves its validation split out of it.
    if params.tune is not None:
        from recwh.tune import tune

        tuned = tune(spark, replace(params.tune, base=Settings(params.als, params.dbt_vars)), excluded=test,
                     interactions=train)
        params = replace(params, als=tuned.settings.als, dbt_vars=tuned.settings.dbt_vars)
    interactions.unpersist()

    # 3. The real pipeline on the training part, all of it in eval_* schemas (tuning changes
    # only what the models after training read).
    train = build_interactions(spark, test, dbt_vars(params), rebuild_all=False)
    train = train.select(USER, ITEM, "confidence", "rating")
    if train.count() != n_train:
        raise RecwhError(f"the evaluation build has {train.count()} training rows, expected {n_train}")
    params = replace(params, als=build_after_training(spark, params.als, dbt_vars(params)))
    return train, test, params


def recommenders(spark: SparkSession, train: DataFrame, test: DataFrame, params: EvaluationParams, depth: int):
    """Each model's (user_id, item_id, rank) lists, `depth` deep, and any rating errors."""
    from pyspark.sql import functions as F

    content = spark.table(evaluation_name("intermediate.int_content_candidates_scored"))
    co_occurrence = spark.table(evaluation_name("intermediate.int_co_occurrence_candidates_scored"))
    popularity = spark.table(evaluation_name("marts.item_popularity"))
    test_users = test.select(USER).distinct()
    explicit, errors = seed_article_als(train, test, params.explicit_als, depth)
    lists = {
        "hybrid": (spark.table(evaluation_name(RECOMMENDATIONS)).select(USER, ITEM, RANK), {}),
        "als": (spark.table(EVALUATION_TABLES.als_predictions)
                .select(USER, ITEM, F.col("als_rank").alias(RANK)), {}),
        "co_occurrence": (co_occurrence.select(USER, ITEM, F.col("co_occurrence_rank").alias(RANK)), {}),
        "content": (content.select(USER, ITEM, F.col("content_rank").alias(RANK)), {}),
        "most_popular": (most_popular(popularity, test_users, train, depth), {}),
        "explicit_als": (explicit, errors),
    }
    return {
        name: (recs.join(test_users, USER, "left_semi").where(F.col(RANK) <= depth).cache()
               if recs is not None else None, extra)
        for name, (recs, extra) in lists.items()
    }


def model_params(name: str, params: EvaluationParams) -> dict:
    common = {"k": params.k, "train_ratio": params.train_ratio, "split_seed": params.seed}
    if name in ("hybrid", "als"):
        common["als"] = asdict(params.als)
    if name == "explicit_als":
        common["als"] = asdict(params.explicit_als)
    if name in ("hybrid", "co_occurrence", "content"):
        common["dbt_vars"] = dbt_vars(params)
    return common


def record_rows(spark: SparkSession, rows: list[dict]) -> None:
    from recwh.warehouse import ensure_schemas

    ensure_schemas(spark, [ML_SCHEMA])
    spark.createDataFrame(rows, EVALUATION_RUNS_SCHEMA).write.format("delta").mode("append") \
        .saveAsTable(EVALUATION_RUNS)


def evaluate(spark: SparkSession, params: EvaluationParams = EvaluationParams()) -> EvaluationResult:
    started = time.monotonic()
    train, test, params = build_evaluation_warehouse(spark, params)
    depth = max(params.k, CURVE_MAX_K) if params.report else params.k
    catalog_size = spark.table(evaluation_name(DIM_ITEMS)).count()
    run_id = uuid.uuid4().hex[:16]
    evaluated_at = datetime.now(timezone.utc).replace(tzinfo=None)
    lists = recommenders(spark, train, test, params, depth)

    rows, curves = [], {}
    for name, (recs, extra) in lists.items():
        if recs is None:  # no ratings to fit the explicit model on
            continue
        if params.report:
            curves[name] = [r.asDict() for r in ranking_metrics_at(recs, test, list(range(1, depth + 1))).collect()]
            at_k = next(c for c in curves[name] if c["k"] == params.k)
        else:
            at_k = ranking_metrics(recs, test, params.k)
        rows.append({
            "evaluation_run_id": run_id,
            "evaluated_at": evaluated_at,
            "model_name": name,
            "precision_at_10": float(at_k["precision"]),
            "recall_at_10": float(at_k["recall"]),
            "ndcg_at_10": float(at_k["ndcg"]),
            "map_at_10": float(at_k["map"]),
            "coverage": catalog_coverage(recs, params.k, catalog_size),
            "rmse": extra.get("rmse"),
            "mae": extra.get("mae"),
            "n_users": int(at_k["n_users"]),
            "params_json": json.dumps(model_params(name, params), sort_keys=True),
        })
    record_rows(spark, rows)

    report_path = None
    if params.report:
        from recwh.report import write_report

        report_path = str(write_report(spark, run_id, rows, curves, lists, train, params.k))
    n_test = test.count()
    n_train = train.count()
    train.unpersist()
    test.unpersist()
    for recs, _ in lists.values():
        if recs is not None:
            recs.unpersist()
    return EvaluationResult(run_id, rows, n_train, n_test, time.monotonic() - started, report_path)
