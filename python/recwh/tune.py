"""`recwh tune`: choose ALS params and the hybrid's blend weights on a validation split.

The interactions are split per user exactly as `recwh evaluate` splits them (seeded, 75/25);
the real dbt models build the eval_* warehouse on the fitting part, and every trial is
scored by nDCG@k on the validation part. Inside `recwh evaluate --tune` the evaluation's
test pairs are held out too, so tuning never sees them.

The search is coordinate-wise: starting from the current settings, each parameter in turn
takes each of its candidate values with the others at their best so far, and the best
value stays. ALS trials fit in memory and score ALS alone; the blend trials then rebuild
the hybrid mart with each weight (dbt vars) over the best ALS. Every trial is appended to
`ml.tuning_trials`; the best settings go to `ml.tuning_runs`, where `recwh run` and
`recwh train` find them.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, field, is_dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.params import AlsParams, Settings
from recwh.tables import ML_SCHEMA, TUNING_RUNS, TUNING_TRIALS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ALS_SEARCH = (
    ("rank", (8, 16, 24, 32, 48)),
    ("reg_param", (0.03, 0.1, 0.3, 1.0, 3.0)),
    ("alpha", (0.3, 1.0, 3.0, 5.0)),
    ("confidence", ("weighted", "binary")),
    ("max_iter", (10, 15, 25)),
)
# blend_weight_collaborative stays as it is: the blend is normalised by the sum of the weights.
BLEND_SEARCH = (
    ("blend_weight_co_occurrence", (0.0, 0.1, 0.2, 0.4)),
    ("blend_weight_content", (0.0, 0.1, 0.2, 0.4)),
    ("blend_weight_popularity", (0.0, 0.05, 0.1, 0.2)),
)

TUNING_TRIALS_SCHEMA = (
    "tuning_run_id string, trial int, stage string, params_json string, ndcg_at_10 double, "
    "precision_at_10 double, coverage double, duration_seconds double, tried_at timestamp"
)
TUNING_RUNS_SCHEMA = (
    "tuning_run_id string, tuned_at timestamp, purpose string, als_params_json string, "
    "dbt_vars_json string, n_trials int, start_als_ndcg_at_10 double, best_als_ndcg_at_10 double, "
    "best_ndcg_at_10 double, n_fit bigint, n_validation bigint, duration_seconds double"
)
PRODUCTION, EVALUATION = "production", "evaluation"


@dataclass(frozen=True)
class TuneParams:
    k: int = 10
    train_ratio: float = 0.75  # share of each user's interactions to fit on; the rest validates
    seed: int = 42  # of the split, as `recwh evaluate`'s
    base: Settings = field(default_factory=Settings)  # where the search starts
    als_search: tuple = ALS_SEARCH
    blend_search: tuple = BLEND_SEARCH

    def __post_init__(self) -> None:
        if not 0 < self.train_ratio < 1:
            raise RecwhError("train_ratio must be in (0, 1)")
        if self.base.als.feedback != "implicit":
            raise RecwhError("tuning ranks with implicit ALS; explicit feedback is not tuned")


@dataclass(frozen=True)
class TuneResult:
    tuning_run_id: str
    settings: Settings
    trials: list[dict]
    start_als_ndcg: float  # ALS alone, at the settings the search started from
    best_als_ndcg: float  # ALS alone, at the best ALS params
    best_ndcg: float  # the hybrid mart, at the best settings
    duration_seconds: float


def project_vars() -> dict:
    """The vars of dbt_project.yml: the blend weights the search starts from."""
    import yaml

    from recwh.spark import project_dir

    return yaml.safe_load((project_dir() / "dbt_project.yml").read_text())["vars"]


def latest_settings(spark: SparkSession) -> Settings | None:
    """The best settings of the latest production tuning, if any."""
    from pyspark.sql import functions as F

    if not spark.catalog.tableExists(TUNING_RUNS):
        return None
    row = (spark.table(TUNING_RUNS).where(F.col("purpose") == PRODUCTION)
           .orderBy(F.desc("tuned_at")).limit(1).first())
    if row is None:
        return None
    return Settings(AlsParams.from_dict(json.loads(row["als_params_json"])),
                    json.loads(row["dbt_vars_json"]), row["tuning_run_id"])


def coordinate_search(start, space, score, set_value):
    """Each parameter in turn takes each candidate value, others at their best so far.

    score(candidate) -> float is called once per distinct candidate; returns the best.
    """
    scores = {}

    def scored(candidate) -> float:
        key = json.dumps(asdict(candidate) if is_dataclass(candidate) else candidate, sort_keys=True)
        if key not in scores:
            scores[key] = score(candidate)
        return scores[key]

    best, best_score = start, scored(start)
    for name, values in space:
        for value in values:
            candidate = set_value(best, name, value)
            if scored(candidate) > best_score:
                best, best_score = candidate, scored(candidate)
    return best, best_score


def tune(
    spark: SparkSession, params: TuneParams = TuneParams(), excluded: DataFrame | None = None,
    interactions: DataFrame | None = None,
) -> TuneResult:
    """Search, log every trial, save the best (as production settings unless `excluded` is given).

    `interactions`: the caller's interactions without the `excluded` pairs, from an eval_*
    warehouse it has just built from the same raw data; holding the validation pairs out then
    rebuilds only what they reach. Built here when not given.
    """
    from recwh.evaluate import (
        USER, ITEM, RANK, build_after_training, build_interactions, catalog_coverage, dbt_eval,
        ranking_metrics, write_holdout,
    )
    from pyspark.sql import functions as F

    from recwh.tables import DIM_ITEMS, RECOMMENDATIONS, VALIDATION_INTERACTIONS, evaluation_name
    from recwh.train import ITEM_IDX, USER_IDX, build_als, index_ids, split_per_user, top_unseen, training_rows

    started = time.monotonic()
    tuning_run_id = uuid.uuid4().hex[:16]
    purpose = PRODUCTION if excluded is None else EVALUATION
    # The validation split is the holdout; the search starts from a fixed regParam and alpha.
    base_als = replace(params.base.als, holdout_fraction=0).resolved()
    base_vars = {name: project_vars()[name] for name, _ in params.blend_search} | params.base.dbt_vars
    eval_vars = {"evaluation": True, "recommendations_k": params.k}

    # The fitting part: everything (but `excluded`) minus the validation pairs.
    if interactions is None:
        interactions = build_interactions(spark, excluded, eval_vars | base_vars)
    _, validation = split_per_user(interactions, params.train_ratio, params.seed, USER, ITEM)
    # A table of its own: a DataFrame derived from fct_interactions would be recomputed from
    # the rebuilt table (Spark refreshes caches of overwritten tables), giving other pairs.
    write_holdout(spark, validation, VALIDATION_INTERACTIONS)
    validation = spark.table(VALIDATION_INTERACTIONS).cache()
    n_validation = validation.count()
    if n_validation == 0:
        raise RecwhError("too few interactions per user to carve out a validation split",
                         hint="ingest more data, or raise the share held out (--train-ratio)")
    held_out = validation if excluded is None else validation.unionByName(excluded.select(*validation.columns))
    fit = build_interactions(spark, held_out, eval_vars | base_vars, rebuild_all=False)
    n_fit = fit.count()
    interactions.unpersist()
    catalog_size = spark.table(evaluation_name(DIM_ITEMS)).count()
    trials: list[dict] = []

    def log(stage: str, values: dict, recommended: DataFrame, t0: float) -> float:
        metrics = ranking_metrics(recommended, validation, params.k)
        trials.append({
            "tuning_run_id": tuning_run_id, "trial": len(trials) + 1, "stage": stage,
            "params_json": json.dumps(values, sort_keys=True), "ndcg_at_10": metrics["ndcg"],
            "precision_at_10": metrics["precision"],
            "coverage": catalog_coverage(recommended, params.k, catalog_size),
            "duration_seconds": time.monotonic() - t0,
            "tried_at": datetime.now(timezone.utc).replace(tzinfo=None),
        })
        return metrics["ndcg"]

    # 1. ALS alone, fitted in memory on the fitting part.
    user_index = index_ids(fit, USER, USER_IDX).cache()
    item_index = index_ids(fit, ITEM, ITEM_IDX).cache()
    indexed = fit.join(user_index, USER).join(item_index, ITEM).cache()
    users = validation.select(USER).distinct().join(user_index, USER).select(USER_IDX).cache()

    def score_als(als: AlsParams) -> float:
        t0 = time.monotonic()
        model = build_als(als).fit(training_rows(indexed, als))
        recommended = (
            top_unseen(model, users, indexed, params.k)
            .join(user_index, USER_IDX).join(item_index, ITEM_IDX)
            .select(USER, ITEM, F.col("als_rank").alias(RANK))
        )
        return log("als", asdict(als), recommended, t0)

    best_als, best_als_ndcg = coordinate_search(base_als, params.als_search, score_als,
                                    lambda als, name, value: replace(als, **{name: value}))
    for df in (users, indexed, item_index, user_index):
        df.unpersist()

    # 2. The blend weights over the best ALS, each trial after the first a rebuild of the hybrid mart.
    build_after_training(spark, best_als, eval_vars | base_vars)

    def score_blend(weights: dict) -> float:
        t0 = time.monotonic()
        # The build above made the start weights' mart; coordinate_search scores them first, and once.
        if weights != base_vars:
            dbt_eval("run", "--select", "int_hybrid_candidates_scored", "recommendations",
                     dbt_vars=eval_vars | weights)
        recommended = spark.table(evaluation_name(RECOMMENDATIONS)).select(USER, ITEM, RANK)
        return log("blend", weights, recommended, t0)

    best_vars, best_ndcg = coordinate_search(base_vars, params.blend_search, score_blend,
                                             lambda weights, name, value: weights | {name: value})
    start_als_ndcg = trials[0]["ndcg_at_10"]

    settings = Settings(replace(best_als, holdout_fraction=params.base.als.holdout_fraction), best_vars, tuning_run_id)
    duration = time.monotonic() - started
    save(spark, trials, {
        "tuning_run_id": tuning_run_id, "tuned_at": datetime.now(timezone.utc).replace(tzinfo=None),
        "purpose": purpose, "als_params_json": json.dumps(asdict(settings.als), sort_keys=True),
        "dbt_vars_json": json.dumps(best_vars, sort_keys=True), "n_trials": len(trials),
        "start_als_ndcg_at_10": start_als_ndcg, "best_als_ndcg_at_10": best_als_ndcg,
        "best_ndcg_at_10": best_ndcg,
        "n_fit": n_fit, "n_validation": n_validation, "duration_seconds": duration,
    })
    validation.unpersist()
    return TuneResult(tuning_run_id, settings, trials, start_als_ndcg, best_als_ndcg, best_ndcg, duration)


def save(spark: SparkSession, trials: list[dict], run: dict) -> None:
    from recwh.warehouse import ensure_schemas

    ensure_schemas(spark, [ML_SCHEMA])
    for rows, schema, table in ((trials, TUNING_TRIALS_SCHEMA, TUNING_TRIALS), ([run], TUNING_RUNS_SCHEMA, TUNING_RUNS)):
        spark.createDataFrame(rows, schema).write.format("delta").mode("append").saveAsTable(table)
