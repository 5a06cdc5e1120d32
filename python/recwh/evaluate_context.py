"""The context protocol of `recwh evaluate --context`: does knowing the context help?

Each user's interactions are ordered by when they began; the latest 25% are held out (the
eval_* warehouse is built on the rest, exactly as `recwh evaluate` does, through the
`split` hook of `build_evaluation_warehouse`). A held-out pair's context is the context
(country, daypart, device class) of its first event. The unit of measurement is a (user,
context) of the held-out events: its relevant items are the held-out items first watched
in that context, and two lists are scored on it with the same metrics:

- context_free: the user's `recommendations` list, the same for every context;
- context_aware: the user's `recommendations_by_context` list for that context, or the
  context-free list where the mart has none (a context with too little data, or events with
  no device/country, as in MovieLens), exactly what `recwh recommend --device --at` shows.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from recwh.evaluate import (
    ITEM,
    RANK,
    USER,
    EvaluationParams,
    build_evaluation_warehouse,
    catalog_coverage,
    ranking_metrics,
    record_rows,
)
from recwh.tables import (
    DIM_ITEMS,
    EVALUATION_TABLES,
    EVENTS_CONTEXTUALIZED,
    RECOMMENDATIONS,
    RECOMMENDATIONS_BY_CONTEXT,
    evaluation_name,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

CONTEXT = ("country", "daypart", "device_class")
UNIT = "unit_id"
MODELS = ("context_free", "context_aware")


@dataclass(frozen=True)
class ContextEvaluationResult:
    evaluation_run_id: str
    rows: list[dict]  # context_free then context_aware, as appended to ml.evaluation_runs
    n_train: int
    n_test: int
    n_units: int  # (user, context) of the held-out events
    n_units_with_context_list: int  # ... for which the mart has a context list
    known_context_share: float  # held-out pairs whose first event has a known context
    duration_seconds: float

    @property
    def ndcg_lift(self) -> float | None:
        """Relative nDCG@k gain of the context-aware list over the context-free one."""
        free, aware = (row["ndcg_at_10"] for row in self.rows)
        return aware / free - 1 if free else None

    @property
    def note(self) -> str | None:
        if self.n_units_with_context_list == 0:
            return ("no held-out event has a context list (the events carry no known device and "
                    "country, e.g. MovieLens): the context-aware list is the context-free list")
        return None


def latest_split(interactions: DataFrame, params: EvaluationParams) -> tuple[DataFrame, DataFrame]:
    """The `split` hook: the eval build's interactions with when they began, split by time."""
    began = interactions.sparkSession.table(EVALUATION_TABLES.interactions).select(USER, ITEM, "first_interacted_at")
    return split_latest(interactions.join(began, [USER, ITEM]), params.train_ratio)


def split_latest(interactions: DataFrame, train_ratio: float) -> tuple[DataFrame, DataFrame]:
    """Per user, interactions by when they began (first_interacted_at, then item_id): the first
    round(train_ratio x n) (half to even) train, the latest ones test."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ordered = Window.partitionBy(USER).orderBy("first_interacted_at", ITEM)
    marked = (
        interactions
        .withColumn("_n", F.count("*").over(Window.partitionBy(USER)))
        .withColumn("_is_test", F.row_number().over(ordered) > F.bround(F.col("_n") * train_ratio))
        .drop("_n", "first_interacted_at")
        .cache()
    )
    return marked.where(~F.col("_is_test")).drop("_is_test"), marked.where(F.col("_is_test")).drop("_is_test")


def held_out_contexts(events: DataFrame, test: DataFrame) -> DataFrame:
    """(user_id, item_id, country, daypart, device_class) of each held-out pair's first event;
    the context columns are null when that event has no known context."""
    from pyspark.sql import functions as F

    first = F.min_by(F.struct(*[F.when(F.col("has_context"), F.col(c)).alias(c) for c in CONTEXT]),
                     F.struct("occurred_at", "event_record_id"))
    return (
        events.join(test.select(USER, ITEM), [USER, ITEM], "left_semi")
        .groupBy(USER, ITEM).agg(first.alias("context"))
        .select(USER, ITEM, *[F.col(f"context.{c}").alias(c) for c in CONTEXT])
    )


def unit_lists(contexts: DataFrame, free: DataFrame, by_context: DataFrame):
    """Relevant pairs and both lists per (user, context) unit, the unit id in user_id
    (user|country|daypart|device_class) so that `ranking_metrics` scores units; and how many
    units the context mart serves.

    contexts: held_out_contexts; free: (user_id, item_id, rank); by_context: the same plus
    the context columns.
    """
    from pyspark.sql import functions as F

    unit = F.concat_ws("|", USER, *[F.coalesce(F.col(c), F.lit("")) for c in CONTEXT])
    contexts = contexts.withColumn(UNIT, unit)
    units = contexts.select(UNIT, USER, *CONTEXT).distinct()
    relevant = contexts.select(F.col(UNIT).alias(USER), ITEM)
    free_lists = units.join(free, USER).select(F.col(UNIT).alias(USER), ITEM, RANK)
    # a null context never matches: such units keep the context-free list
    served = units.join(by_context, [USER, *CONTEXT]).select(F.col(UNIT).alias(USER), ITEM, RANK)
    served_units = served.select(USER).distinct()
    aware_lists = served.unionByName(free_lists.join(served_units, USER, "left_anti"))
    return relevant, free_lists, aware_lists, served_units.count()


def evaluate_context(spark: SparkSession, params: EvaluationParams = EvaluationParams()) -> ContextEvaluationResult:
    started = time.monotonic()
    train, test, params = build_evaluation_warehouse(spark, params, split=latest_split)
    contexts = held_out_contexts(spark.table(evaluation_name(EVENTS_CONTEXTUALIZED)), test).cache()
    free = spark.table(evaluation_name(RECOMMENDATIONS)).select(USER, ITEM, RANK)
    by_context = spark.table(evaluation_name(RECOMMENDATIONS_BY_CONTEXT)).select(USER, *CONTEXT, ITEM, RANK)
    relevant, free_lists, aware_lists, n_with_list = unit_lists(contexts, free, by_context)
    catalog_size = spark.table(evaluation_name(DIM_ITEMS)).count()

    run_id = uuid.uuid4().hex[:16]
    evaluated_at = datetime.now(timezone.utc).replace(tzinfo=None)
    protocol = {"protocol": "context_latest", "k": params.k, "train_ratio": params.train_ratio,
                "als": asdict(params.als)}
    rows = []
    for name, recs in zip(MODELS, (free_lists, aware_lists)):
        at_k = ranking_metrics(recs, relevant, params.k)
        rows.append({
            "evaluation_run_id": run_id,
            "evaluated_at": evaluated_at,
            "model_name": name,
            "precision_at_10": at_k["precision"],
            "recall_at_10": at_k["recall"],
            "ndcg_at_10": at_k["ndcg"],
            "map_at_10": at_k["map"],
            "coverage": catalog_coverage(recs, params.k, catalog_size),
            "rmse": None,
            "mae": None,
            "n_users": at_k["n_users"],  # here: (user, context) units
            "params_json": json.dumps(protocol, sort_keys=True),
        })
    record_rows(spark, rows)
    n_test = contexts.count()
    known = contexts.where(" and ".join(f"{c} is not null" for c in CONTEXT)).count()
    result = ContextEvaluationResult(
        run_id, rows, train.count(), test.count(), rows[0]["n_users"], n_with_list,
        known / n_test if n_test else 0.0, time.monotonic() - started,
    )
    for df in (train, test, contexts):
        df.unpersist()
    return result
