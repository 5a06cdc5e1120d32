"""Running recwh, dbt and Spark daemons as separate processes, the way users do.

Every process gets tiny Spark settings and its own warehouse home; the pytest session's
SparkSession holds the Derby lock of the session home, so no subprocess may use that one.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from recwh.spark import project_dir, spark_home

BIN = Path(sys.executable).parent
# ALS settings of the `tiny_warehouse` fixture's model: a test that retrains uses the same. No
# holdout fit: half the training, and these tests check mechanics (the end-to-end test checks metrics).
TINY_ALS = ("--max-iter", "3", "--rank", "4", "--holdout", "0")
# dbt's own switch, which recwh honours: builds without data tests, for tests of the pipeline's
# mechanics (processes, kills, publishing, reruns). They are a third of a tiny build's time; the
# end-to-end module's first build and the incremental-model tests run them.
NO_DATA_TESTS = {"DBT_EXCLUDE_RESOURCE_TYPES": "test"}


def env(home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "RECWH_HOME": str(home),
        "RECWH_MASTER": "local[2]",
        "RECWH_SHUFFLE_PARTITIONS": "2",
        "RECWH_DRIVER_MEMORY": "1g",
        # Executors on a cluster start Python workers with this interpreter: the venv's.
        "PYSPARK_PYTHON": sys.executable,
        # The wheel's Spark, whatever SPARK_HOME the machine has; every JVM on loopback only.
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        **extra,
    }


def command(args) -> list[str]:
    """A bare name is one of the venv's commands (recwh, dbt)."""
    words = [str(a) for a in args]
    if "/" not in words[0]:
        words[0] = str(BIN / words[0])
    return words


def run(*args: str | Path, home: Path, timeout: float = 1800, **extra_env: str) -> subprocess.CompletedProcess:
    """Run a command to completion."""
    return subprocess.run(command(args), env=env(home, **extra_env), cwd=project_dir(), capture_output=True,
                          text=True, timeout=timeout)


def start(*args: str | Path, home: Path, log: Path, **extra_env: str) -> subprocess.Popen:
    """Start a long-running process in its own process group, output to `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(command(args), env=env(home, **extra_env), cwd=project_dir(),
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """Terminate a process started by `start`, then kill its group if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        # The group is this process's own: it catches a JVM child a killed parent left behind.
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"exited with {process.returncode}:\n{tail(log)}"
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise AssertionError(f"nothing accepted connections on 127.0.0.1:{port} in {timeout} s:\n{tail(log)}")


def tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

