"""Published versions of the recommendations, and rolling back to an earlier one.

Readers see `marts.recommendations` change only whole: dbt-spark rebuilds a Delta table
with one `create or replace table ... as select` commit. After each rebuild a row of
`ml.published_versions` records which run it published and the Delta version of every
table in `PUBLISHED_TABLES` (the model and the mart), so `rollback` can bring a run back
with Delta RESTORE, and the version of `fct_interactions` the model had seen, from which
`recwh refresh` tells which users have new interactions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.tables import FCT_INTERACTIONS, MODEL_RUNS, PUBLISHED_TABLES, PUBLISHED_VERSIONS, RECOMMENDATIONS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PUBLISHED_VERSIONS_SCHEMA = (
    "published_at timestamp, run_id string, action string, model_run_id string, "
    "recommendations_version bigint, interactions_version bigint, table_versions map<string, bigint>"
)
TRAIN, REFRESH, ROLLBACK = "train", "refresh", "rollback"


@dataclass(frozen=True)
class Publication:
    published_at: datetime
    run_id: str  # the model_runs row of what readers see: a trained run or a refresh of one
    action: str  # train, refresh or rollback
    model_run_id: str  # the trained run whose item factors the published model uses
    recommendations_version: int
    interactions_version: int  # fct_interactions as the model saw it
    table_versions: dict[str, int]


@dataclass(frozen=True)
class RollbackResult:
    publication: Publication  # the rollback's own row
    restored: dict[str, tuple[int, int]]  # table -> (version before, version restored)


def table_version(spark: SparkSession, table: str) -> int:
    return spark.sql(f"describe history {table} limit 1").first()["version"]


def record_publication(
    spark: SparkSession, run_id: str, action: str, model_run_id: str | None = None,
    interactions_version: int | None = None,
) -> Publication:
    """Append the row that links the current versions of the published tables to `run_id`."""
    versions = {table: table_version(spark, table) for table in PUBLISHED_TABLES}
    publication = Publication(
        published_at=datetime.now(timezone.utc).replace(tzinfo=None),
        run_id=run_id,
        action=action,
        model_run_id=model_run_id or run_id,
        recommendations_version=versions[RECOMMENDATIONS],
        interactions_version=(interactions_version if interactions_version is not None
                              else table_version(spark, FCT_INTERACTIONS)),
        table_versions=versions,
    )
    row = spark.createDataFrame([publication.__dict__], schema=PUBLISHED_VERSIONS_SCHEMA)
    row.write.format("delta").mode("append").saveAsTable(PUBLISHED_VERSIONS)
    return publication


def publications(spark: SparkSession, run_id: str | None = None) -> list[Publication]:
    """Every publication (of `run_id`, if given), newest first."""
    from pyspark.sql import functions as F

    if not spark.catalog.tableExists(PUBLISHED_VERSIONS):
        return []
    rows = spark.table(PUBLISHED_VERSIONS)
    if run_id is not None:
        rows = rows.where(F.col("run_id") == run_id)
    return [Publication(**row.asDict()) for row in rows.orderBy(F.desc("published_at")).collect()]


def is_published_since(spark: SparkSession, run_id: str, since: datetime) -> bool:
    """Whether a training run published `run_id` at or after `since` (UTC)."""
    return any(p.action == TRAIN and p.published_at >= since for p in publications(spark, run_id))


def latest_publication(spark: SparkSession) -> Publication | None:
    latest = publications(spark)
    return latest[0] if latest else None


def history(root: Path | None = None) -> list[dict]:
    """Publications, newest first, with their run's training metrics (for `recwh runs`).

    Read from the tables' files with delta-rs, as `recwh recommend` reads the marts: no JVM to
    start, and it answers while a run holds the metastore. Values as `publications` gives them.
    """
    from recwh.warehouse import read_table

    def rows(table: str) -> list[dict]:
        try:
            return read_table(table, root=root)
        except RecwhError:  # not written yet
            return []

    runs = {row["run_id"]: row for row in rows(MODEL_RUNS)}
    published = [
        # PySpark gives a timestamp as a naive local time and a map as a dict
        Publication(**row | {"published_at": row["published_at"].astimezone().replace(tzinfo=None),
                             "table_versions": dict(row["table_versions"])})
        for row in rows(PUBLISHED_VERSIONS)
    ]
    return [p.__dict__ | {"ndcg_at_10": runs.get(p.model_run_id, {}).get("ndcg_at_10")}
            for p in sorted(published, key=lambda p: p.published_at, reverse=True)]


def rollback(spark: SparkSession, run_id: str) -> RollbackResult:
    """Restore the model and the recommendations `run_id` published, newest publication first.

    Each table is restored with Delta RESTORE (one commit each, the mart last); the
    history stays, so a later rollback can return to any published run again.
    """
    published = publications(spark, run_id)
    if not published:
        known = list(dict.fromkeys(p.run_id for p in publications(spark)))
        hint = ("published runs, newest first: " + ", ".join(known[:5]) + " (see `recwh runs`)"
                if known else "nothing has been published yet: run `recwh run` first")
        raise RecwhError(f"run {run_id} has no published recommendations to restore", hint=hint)
    target = published[0]
    restored = {}
    for table in PUBLISHED_TABLES:
        version, current = target.table_versions[table], table_version(spark, table)
        if version == current:
            continue
        try:
            spark.sql(f"restore table {table} to version as of {version}")
        except Exception as exc:  # noqa: BLE001 - Spark raises a Py4J/Analysis error here
            first_line = str(exc).strip().splitlines()[0]
            raise RecwhError(
                f"cannot restore {table} to version {version}: {first_line}",
                hint="its files may have been vacuumed; retrain with `recwh run` instead",
            ) from exc
        restored[table] = (current, version)
    publication = record_publication(spark, run_id, ROLLBACK, model_run_id=target.model_run_id,
                                     interactions_version=target.interactions_version)
    return RollbackResult(publication, restored)
