"""`recwh stream`: event files from a landing folder into raw.events, exactly once.

A Structured Streaming query reads every line of the landing folder's `.json`/`.jsonl`
(one JSON object per line) and `.csv` files (a header line, then the raw.events columns
in that order) and appends one raw.events row per non-blank line to the Delta sink. The
file source's offset log and the Delta sink's transaction ids in the checkpoint make it
exactly-once: a process killed at any moment, restarted, neither duplicates nor loses
a line.

Lines are read as text and parsed here rather than by Spark's JSON/CSV readers, so each
line's fate is explicit: a line that is not valid UTF-8, not a JSON object, or a CSV row
with the wrong number of fields lands with null columns and its text in
`_malformed_record`, which staging quarantines as 'malformed'. Nothing is dropped, so
lines received = rows landed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.spark import home
from recwh.tables import (
    INGESTED_AT_COLUMN,
    MALFORMED_COLUMN,
    RAW_COLUMNS,
    RAW_EVENTS,
    SOURCE_COLUMN,
)
from recwh.warehouse import ensure_schemas

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

EVENT_FILES = "*.{json,jsonl,csv}"  # anything else (e.g. a .tmp being written) is ignored
SOURCE_PREFIX = "stream:"
METRICS = "ingest"  # name of the observed metrics of each batch
POLL_SECONDS = 1.0


def landing_dir(root: Path | None = None) -> Path:
    return (root or home()) / "landing" / "events"


def checkpoint_location(root: Path | None = None) -> Path:
    """The query's offsets and commits: delete it only together with the rows it landed."""
    return (root or home()) / "streams" / RAW_EVENTS


@dataclass(frozen=True)
class BatchReport:
    batch_id: int
    received: int  # non-blank lines, CSV header lines excluded; each is one raw.events row
    malformed: int  # of which landed with `_malformed_record` (quarantined by staging)


def parse_lines(lines: DataFrame) -> DataFrame:
    """Text lines (`value`, `file_name`) -> raw.events rows, one per non-blank, non-header line."""
    from pyspark.sql import functions as F

    columns = RAW_COLUMNS[RAW_EVENTS]
    schema = ", ".join(f"`{c}` string" for c in [*columns, MALFORMED_COLUMN])
    options = {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": MALFORMED_COLUMN}
    header = ",".join(columns)

    is_json = F.lower("file_name").rlike(r"\.jsonl?$")
    text = F.make_valid_utf8("value")
    parsed = F.when(is_json, F.from_json(text, schema, options)).otherwise(F.from_csv(text, F.lit(schema), options))
    malformed = (
        ~F.is_valid_utf8("value")
        | parsed.isNull()
        | parsed[MALFORMED_COLUMN].isNotNull()
        # from_json reads a JSON array, number or string as a row of nulls, not as corrupt
        | (is_json & ~F.ltrim(text).startswith("{"))
    )
    return (
        lines
        .where(F.trim("value") != "")
        # a CSV file's header, as the file gives it; any other first line is data (and likely quarantined)
        .where(is_json | (F.lower(F.regexp_replace("value", r'[\s"]', "")) != header))
        .select(
            *[F.when(~malformed, parsed[c]).alias(c) for c in columns],
            F.concat(F.lit(SOURCE_PREFIX), "file_name").alias(SOURCE_COLUMN),
            F.current_timestamp().alias(INGESTED_AT_COLUMN),
            F.when(malformed, text).alias(MALFORMED_COLUMN),
        )
    )


def stream_events(
    spark: SparkSession,
    landing: Path | None = None,
    *,
    once: bool = False,
    max_files_per_batch: int = 1000,
    interval_seconds: float = 10.0,
    on_batch: Callable[[BatchReport], None] = lambda report: None,
) -> list[BatchReport]:
    """Run the stream: until the folder is processed (`once`), else until interrupted."""
    from pyspark.errors import StreamingQueryException
    from pyspark.sql import functions as F

    landing = (landing or landing_dir()).resolve()
    if landing == landing_dir():
        landing.mkdir(parents=True, exist_ok=True)
    if not landing.is_dir():
        raise RecwhError(f"landing folder {landing} does not exist",
                         hint="create it, or pass --landing with the folder your event files arrive in")
    ensure_schemas(spark)

    lines = (
        spark.readStream.format("text")
        .option("pathGlobFilter", EVENT_FILES)
        .option("maxFilesPerTrigger", max_files_per_batch)
        # Spark skips a new file whose mtime is over 7 days older than the newest seen one
        # (e.g. copied with cp -p or rsync -a): with this, every file in the folder counts.
        .option("maxFileAge", "3650d")
        .load(str(landing))
        .select("value", F.col("_metadata.file_name").alias("file_name"))
    )
    rows = parse_lines(lines).observe(
        METRICS,
        F.count(F.lit(1)).alias("received"),
        F.count(MALFORMED_COLUMN).alias("malformed"),
    )
    writer = (
        rows.writeStream.format("delta")
        .outputMode("append")
        .option("checkpointLocation", str(checkpoint_location()))
        # a raw.events from before `_malformed_record` existed gains the column
        .option("mergeSchema", "true")
    )
    writer = writer.trigger(availableNow=True) if once else writer.trigger(processingTime=f"{interval_seconds} seconds")
    query = writer.toTable(RAW_EVENTS)

    reports: list[BatchReport] = []
    try:
        while True:
            finished = query.awaitTermination(POLL_SECONDS)
            for report in _new_reports(query.recentProgress, reports[-1].batch_id if reports else -1):
                reports.append(report)
                on_batch(report)
            if finished:
                return reports
    except StreamingQueryException as exc:
        raise RecwhError(f"the stream stopped: {str(exc).splitlines()[0]}",
                         hint="fix the cause and rerun: the checkpoint resumes at the unfinished batch") from exc
    finally:
        if query.isActive:
            query.stop()


def _new_reports(progress: list[dict], after_batch: int) -> list[BatchReport]:
    reports = []
    for event in progress:
        metrics = event.get("observedMetrics", {}).get(METRICS)
        if event["batchId"] <= after_batch or metrics is None or not event.get("numInputRows"):
            continue
        reports.append(BatchReport(event["batchId"], int(metrics["received"]), int(metrics["malformed"])))
    return reports
