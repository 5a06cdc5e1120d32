"""A Spark Thrift Server (HiveServer2 protocol) over the warehouse, for BI tools and dbt's `cluster` target.

The server is the pyspark wheel's HiveThriftServer2, started through the wheel's
spark-submit with every setting from `recwh.spark.spark_conf()` (through `thrift_server_conf()`), so it sees the same
Delta tables and metastore as `recwh` and `dbt`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from recwh.errors import RecwhError
from recwh.spark import METASTORE_LOCKED_HINT, home, metastore_held, spark_bin, spark_home, thrift_server_conf

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
DEFAULT_PORT = 10000
DEFAULT_HOST = "127.0.0.1"
# Derby's words when a second JVM tries to boot a metastore another one holds.
METASTORE_LOCKED_MARKERS = ("Another instance of Derby may have already booted the database",)


def log_path() -> Path:
    return home() / "logs" / "thrift-server.log"


def server_command(port: int = DEFAULT_PORT, host: str = DEFAULT_HOST) -> list[str]:
    command = [str(spark_bin("spark-submit")), "--class", THRIFT_SERVER_CLASS,
               "--name", "recwh Thrift server"]
    for key, value in thrift_server_conf().items():
        command += ["--conf", f"{key}={value}"]
    # spark-internal: the server's classes ship in Spark itself, there is no application jar.
    return command + [
        "spark-internal",
        "--hiveconf", f"hive.server2.thrift.port={port}",
        "--hiveconf", f"hive.server2.thrift.bind.host={host}",
    ]


def start(port: int = DEFAULT_PORT, host: str = DEFAULT_HOST) -> subprocess.Popen:
    """Start the server in the background, logging to `log_path()`; returns its process.

    Call `wait_until_ready` before connecting, and `stop` to end it.
    """
    if metastore_held():
        raise RecwhError(f"the metastore of {home()} is in use by another process",
                         hint=METASTORE_LOCKED_HINT)
    if port_accepts(host, port):
        raise RecwhError(f"{host}:{port} is already taken", hint="choose another --port")
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        # cwd=home: anything Hive writes relative to the working directory stays in the warehouse.
        # SPARK_HOME=the wheel: a SPARK_HOME from the environment would run another Spark's jars.
        return subprocess.Popen(server_command(port, host), cwd=home(), stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, "SPARK_HOME": str(spark_home())})


def port_accepts(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


def wait_until_ready(process: subprocess.Popen, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST,
                     timeout: float = 180) -> None:
    """Block until the server accepts connections; raise with the reason if it dies or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise startup_failure(process.returncode)
        if port_accepts(host, port):
            return
        time.sleep(1)
    raise RecwhError(f"the Thrift server did not accept connections on {host}:{port} within {timeout:.0f} s",
                     hint=f"see {log_path()}")


def startup_failure(returncode: int) -> RecwhError:
    output = log_path().read_text(errors="replace") if log_path().exists() else ""
    if any(marker in output for marker in METASTORE_LOCKED_MARKERS):
        return RecwhError(f"the Thrift server could not open the metastore of {home()}: it is in use",
                          hint=METASTORE_LOCKED_HINT)
    return RecwhError(f"the Thrift server exited with status {returncode} while starting",
                      hint=f"see {log_path()}")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate the server (its shutdown hook closes the metastore), killing it if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
