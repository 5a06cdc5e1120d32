"""The one place that owns Spark settings and warehouse paths.

Both `recwh` and dbt (through the `dbt_recwh` plugin, which runs before dbt-spark's
session method calls `getOrCreate`) build their session here, so a table written by one
is readable by the other in the same process or a later one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from recwh import progress
from recwh.errors import RecwhError

DELTA_JARS_VERSION = "4.4.0"
DELTA_ARTIFACTS = (
    f"io.delta:delta-spark_4.2_2.13:{DELTA_JARS_VERSION}",
    f"io.delta:delta-storage:{DELTA_JARS_VERSION}",
)
DEFAULT_MASTER = "local[*]"
METASTORE_LOCKED_HINT = (
    "the embedded Derby metastore allows one process per warehouse home: stop the other "
    "recwh, dbt or Spark process using this home (or use another home with --home)"
)


def project_dir() -> Path:
    """The dbt project: RECWH_PROJECT_DIR, else the repository this package lives in."""
    if "RECWH_PROJECT_DIR" in os.environ:
        return Path(os.environ["RECWH_PROJECT_DIR"]).resolve()
    return Path(__file__).resolve().parents[2]


def home() -> Path:
    """Everything a run writes lives here; two homes are two independent warehouses."""
    return Path(os.environ.get("RECWH_HOME", "warehouse")).resolve()


def table_path(table: str, root: Path | None = None) -> Path:
    """Where Spark keeps the managed table `schema.name` (readers without Spark open it there):
    <warehouse>/<schema>.db/<name>, or <warehouse>/<name> in schema `default`."""
    schema, name = table.split(".")
    warehouse = (root or home()) / "tables"
    return warehouse / name if schema == "default" else warehouse / f"{schema}.db" / name


def jars_dir() -> Path:
    return Path(os.environ.get("RECWH_JARS_DIR", project_dir() / ".cache" / "jars")).resolve()


def delta_jars() -> list[Path]:
    names = [f"{a.split(':')[1]}-{a.split(':')[2]}.jar" for a in DELTA_ARTIFACTS]
    jars = [jars_dir() / name for name in names]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        raise RecwhError(f"Delta jars not found: {', '.join(missing)}", hint="run `make setup` to fetch them")
    return jars


MIN_SHUFFLE_PARTITIONS = 8
MAX_SHUFFLE_PARTITIONS = 400
RAW_BYTES_PER_PARTITION = 2 * 2**20  # compressed raw input per shuffle partition; joins expand it a lot


def shuffle_partitions(root: Path) -> int:
    """Shuffle partitions sized from the raw input on disk: few for small warehouses, where each
    partition is per-task overhead, more for big ones, so a partition's share of a wide join or
    window fits in memory instead of spilling. AQE then coalesces the ones that come out small.
    """
    raw = root / "tables" / "raw.db"
    size = sum(f.stat().st_size for f in raw.rglob("*.parquet")) if raw.is_dir() else 0
    return max(MIN_SHUFFLE_PARTITIONS, min(MAX_SHUFFLE_PARTITIONS, size // RAW_BYTES_PER_PARTITION))


def spark_conf(master: str | None = None, *, ui: bool | None = None) -> dict[str, str]:
    """Every Spark setting recwh and dbt use, as one dict."""
    root = home()
    partitions = os.environ.get("RECWH_SHUFFLE_PARTITIONS") or str(shuffle_partitions(root))
    if ui is None:
        ui = os.environ.get("RECWH_SPARK_UI", "false").lower() == "true"
    log4j = Path(__file__).with_name("log4j2.properties")
    java_options = (
        f"-Dderby.system.home={root} -Dderby.stream.error.file={root / 'derby.log'} "
        f"-Dlog4j2.configurationFile=file:{log4j}"
    )
    return {
        "spark.master": master or os.environ.get("RECWH_MASTER", DEFAULT_MASTER),
        "spark.app.name": "recwh",
        "spark.jars": ",".join(str(j) for j in delta_jars()),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(root / "tables"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        # Delta replaces a table's schema in its own log; let the Hive metastore follow
        # instead of rejecting the change (which it logs as an error on every overwrite).
        "spark.hadoop.hive.metastore.disallow.incompatible.col.type.changes": "false",
        "spark.driver.extraJavaOptions": java_options,
        "spark.driver.memory": os.environ.get("RECWH_DRIVER_MEMORY", "4g"),
        "spark.local.dir": str(root / "spark-tmp"),
        # dbt-spark's session method forces this; recwh must match it exactly.
        "spark.sql.ansi.enabled": "false",
        "spark.sql.shuffle.partitions": partitions,
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.adaptive.coalescePartitions.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.enabled": str(ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        # Delta's own log replay defaults to 50 partitions: far too many for small tables.
        "spark.databricks.delta.snapshotPartitions": "2",
        # Keep table features that non-Spark readers (deltalake, Polars) understand.
        "spark.databricks.delta.properties.defaults.enableDeletionVectors": "false",
    }


def spark_home() -> Path:
    """The pyspark wheel: its bin/ has spark-submit, spark-class and beeline, its jars/ the Thrift server."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def spark_bin(name: str) -> Path:
    return spark_home() / "bin" / name


def metastore_dir(root: Path | None = None) -> Path:
    return (root or home()) / "metastore_db"


def metastore_in_use(root: Path | None = None) -> bool:
    """True while some JVM has booted this home's embedded Derby metastore.

    Derby holds a POSIX write lock on `dbex.lck` for as long as a JVM has the database
    open (the file itself stays behind after exit), so probing that lock tells a live
    owner from a stale file.
    """
    import fcntl

    lock_file = metastore_dir(root) / "dbex.lck"
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the probe's lock, if it got one
    return False


def metastore_held(grace_seconds: float = 30) -> bool:
    """`metastore_in_use`, after waiting for a JVM that is only shutting down.

    A recwh process that just ended leaves its JVM behind for a moment (stopping Spark,
    deleting its temp dirs), still holding the lock; the next command must not refuse then.
    """
    import time

    deadline = time.monotonic() + grace_seconds
    while metastore_in_use():
        if time.monotonic() > deadline:
            return True
        time.sleep(0.5)
    return False


def thrift_server_conf(master: str | None = None) -> dict[str, str]:
    """`spark_conf` for a Thrift server JVM started by spark-submit.

    The server opens each client session on a thread whose class loader does not see
    `spark.jars`, so the Delta catalog must also be on the driver's own class path.
    """
    conf = spark_conf(master)
    conf["spark.driver.extraClassPath"] = os.pathsep.join(str(j) for j in delta_jars())
    return conf


def checkpoint_dir() -> Path:
    return home() / "checkpoints"


def get_spark(master: str | None = None):
    """The process-wide SparkSession, created with `spark_conf` on first use."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # Another JVM on this home would make Derby fail deep inside session start-up; say so first.
    # (Only before this process launched its own JVM, which may hold the lock itself.)
    if SparkContext._gateway is None and metastore_held():
        raise RecwhError(f"the metastore of {home()} is in use by another process", hint=METASTORE_LOCKED_HINT)
    home().mkdir(parents=True, exist_ok=True)
    # Python workers (pandas UDFs) need this interpreter's packages, not whatever `python3` is
    # on the PATH; pyspark reads only the environment variable (not spark.pyspark.python).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(master).items():
        builder = builder.config(key, value)
    progress.step("starting Spark")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("RECWH_LOG_LEVEL", "ERROR"))
    if os.environ.get("RECWH_VERBOSE") != "1":
        # PySpark logs every captured SQL error as a JSON line on stderr; recwh reports it in one line.
        import logging

        for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    spark.sparkContext.setCheckpointDir(str(checkpoint_dir()))
    return spark
