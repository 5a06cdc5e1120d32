"""Reading and writing the warehouse's Delta tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from recwh import progress
from recwh.errors import RecwhError
from recwh.tables import (
    EVENTS_VALIDATED,
    INGESTED_AT_COLUMN,
    MALFORMED_COLUMN,
    RAW_COLUMNS,
    QUARANTINED_ROWS,
    RAW_EVENTS,
    SOURCE_COLUMN,
    WAREHOUSE_SCHEMAS,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class TableInfo:
    name: str
    path: str
    rows: int


def table_exists(spark: SparkSession, name: str) -> bool:
    return spark.catalog.tableExists(name)


def require_table(spark: SparkSession, name: str, hint: str) -> DataFrame:
    if not table_exists(spark, name):
        raise RecwhError(f"table {name} does not exist yet", hint=hint)
    df = spark.table(name)
    if df.isEmpty():
        raise RecwhError(f"table {name} is empty", hint=hint)
    return df


def ensure_schemas(spark: SparkSession, schemas: Iterable[str] = WAREHOUSE_SCHEMAS) -> None:
    for schema in schemas:
        if not spark.catalog.databaseExists(schema):
            spark.sql(f"create database {schema}")


def write_raw(spark: SparkSession, frames: dict[str, pd.DataFrame], source: str) -> dict[str, int]:
    """Replace one source's rows in the raw tables; other sources' rows stay.

    Every frame is checked before anything is written, and each table is replaced in a
    single Delta commit, so a bad input never leaves a half-written table behind.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    for table, columns in RAW_COLUMNS.items():
        frame = frames.get(table)
        if frame is None:
            raise RecwhError(f"no data for {table} from {source}")
        if list(frame.columns) != columns:
            raise RecwhError(f"{table} from {source} has columns {list(frame.columns)}, expected {columns}")
    if frames[RAW_EVENTS].empty:
        raise RecwhError(f"{source} has no events", hint="check the input files")

    ensure_schemas(spark)
    counts = {}
    for table, columns in RAW_COLUMNS.items():
        progress.step(f"writing {len(frames[table]):,} rows to {table}")
        frame = frames[table].astype(object).where(frames[table].notna(), None)
        schema = StructType([StructField(c, StringType(), True) for c in columns])
        df = (
            spark.createDataFrame(frame, schema=schema)
            .withColumn(SOURCE_COLUMN, F.lit(source))
            .withColumn(INGESTED_AT_COLUMN, F.current_timestamp())
        )
        if table == RAW_EVENTS:  # files read whole here parse completely, or the ingest fails
            df = df.withColumn(MALFORMED_COLUMN, F.lit(None).cast("string"))
        # mergeSchema: a table from before a lineage column existed gains it
        writer = df.write.format("delta").mode("overwrite").option("mergeSchema", "true")
        if table_exists(spark, table):
            writer = writer.option("replaceWhere", f"{SOURCE_COLUMN} = '{source}'")
        writer.saveAsTable(table)
        counts[table] = len(frame)
    return counts


@dataclass(frozen=True)
class EventAccounting:
    """Where the raw event rows of some sources went, as of the last dbt build."""

    received: int  # rows in raw.events
    loaded: int  # valid events (int_events_validated without a reason)
    quarantined: dict[str, int]  # rows in marts.quarantined_rows, per reason

    @property
    def balanced(self) -> bool:
        return self.received == self.loaded + sum(self.quarantined.values())

    def summary(self) -> str:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(self.quarantined.items()))
        return (f"{RAW_EVENTS}: {self.received} received = {self.loaded} loaded + "
                f"{sum(self.quarantined.values())} quarantined ({reasons or 'none'})")


def event_accounting(spark: SparkSession, source_like: str = "%") -> EventAccounting:
    """received = loaded + quarantined for the raw.events sources matching a SQL LIKE pattern."""
    from pyspark.sql import functions as F

    def of_sources(name: str, column: str) -> DataFrame:
        return spark.table(name).where(F.col(column).like(source_like))

    received = of_sources(RAW_EVENTS, SOURCE_COLUMN).count()
    loaded = of_sources(EVENTS_VALIDATED, "source_name").where("quarantine_reason is null").count()
    quarantined = (
        of_sources(QUARANTINED_ROWS, "source_name").where(f"source_table = '{RAW_EVENTS}'")
        .groupBy("reason").count().collect()
    )
    return EventAccounting(received, loaded, {row["reason"]: row["count"] for row in quarantined})


def list_tables(spark: SparkSession) -> list[TableInfo]:
    """Every Delta table in the warehouse, with its storage path and row count."""
    tables = []
    for database in sorted(db.name for db in spark.catalog.listDatabases()):
        for table in sorted(spark.catalog.listTables(database), key=lambda t: t.name):
            if table.tableType == "VIEW" or table.isTemporary:
                continue
            name = f"{database}.{table.name}"
            detail = spark.sql(f"describe detail {name}").first()
            if detail["format"] != "delta":
                continue
            path = detail["location"].removeprefix("file:")
            tables.append(TableInfo(name=name, path=path, rows=spark.table(name).count()))
    return tables
