"""Reading and writing the warehouse's Delta tables."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from recwh import progress
from recwh.errors import RecwhError
from recwh.spark import home, table_path
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


def delta_table(table: str, root: Path | None = None):
    """A Delta table opened from its files with delta-rs, not Spark: an answer in about a second
    instead of a JVM's start, and readable while a run holds the metastore (the last committed
    version)."""
    from deltalake import DeltaTable
    from deltalake.exceptions import TableNotFoundError

    try:
        return DeltaTable(str(table_path(table, root)))
    except TableNotFoundError:
        raise RecwhError(f"{table} does not exist yet", hint="run `recwh run` first") from None


def read_table(table: str, columns: list[str] | None = None, filters: list[tuple] | None = None,
               root: Path | None = None, limit: int | None = None) -> list[dict]:
    """Rows as Python values (None where missing), read with `delta_table`; the first `limit`."""
    from pyarrow.parquet import filters_to_expression

    # Scanned on this thread: with Arrow's scan threads (still calling into delta-rs's file
    # system at exit) a filtered read aborted the process as it exited, one run in five
    # ("terminate called without an active exception", delta-rs#2184, arrow#34314).
    # These reads are small.
    scanner = delta_table(table, root).to_pyarrow_dataset().scanner(
        columns=columns, filter=filters_to_expression(filters) if filters else None, use_threads=False)
    return (scanner.to_table() if limit is None else scanner.head(limit)).to_pylist()


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
    staging = home() / "spark-tmp" / f"raw-{uuid.uuid4().hex}"
    try:
        for table, columns in RAW_COLUMNS.items():
            progress.step(f"writing {len(frames[table]):,} rows to {table}")
            schema = StructType([StructField(c, StringType(), True) for c in columns])
            df = (
                spark.read.schema(schema).parquet(_staged_parquet(frames[table], columns, staging / table))
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
            counts[table] = len(frames[table])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


STAGING_CHUNK_ROWS = 1_000_000


def _staged_parquet(frame: pd.DataFrame, columns: list[str], path: Path) -> str:
    """The frame as a Parquet file Spark reads in parallel, written a chunk at a time.

    `createDataFrame(pandas)` holds every row in the driver's heap at once; read from a file,
    the JVM's memory does not grow with the data (and Python's grows by one chunk).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.mkdir(parents=True)
    schema = pa.schema([(c, pa.string()) for c in columns])
    with pq.ParquetWriter(path / "part-00000.parquet", schema) as writer:
        for start in range(0, max(len(frame), 1), STAGING_CHUNK_ROWS):
            chunk = frame.iloc[start:start + STAGING_CHUNK_ROWS].astype(object)
            writer.write_table(pa.Table.from_pandas(chunk.where(chunk.notna(), None), schema=schema,
                                                    preserve_index=False))
    return str(path)


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


def list_tables(root: Path | None = None) -> list[TableInfo]:
    """Every Delta table in the warehouse folder, with its storage path and row count.

    Read with delta-rs from the tables' logs and Parquet footers, not Spark: about a second
    instead of a JVM's start and a query per table, and it works while a run holds the
    metastore. Where each table lives: `recwh.spark.table_path`.
    """
    from deltalake import DeltaTable

    warehouse = (root or home()) / "tables"
    tables = []
    for log in [*warehouse.glob("*/_delta_log"), *warehouse.glob("*.db/*/_delta_log")]:
        path = log.parent
        schema = path.parent.name.removesuffix(".db") if path.parent != warehouse else "default"
        rows = DeltaTable(str(path)).to_pyarrow_dataset().count_rows()
        tables.append(TableInfo(name=f"{schema}.{path.name}", path=str(path), rows=rows))
    return sorted(tables, key=lambda table: table.name)
