"""`recwh serve`: a real Spark Thrift Server over a warehouse, queried by a real HiveServer2 client."""

from __future__ import annotations

from pathlib import Path

from deltalake import DeltaTable
from helpers import delta_path, free_port, run, start, stop, wait_for_port

from recwh.spark import metastore_in_use, spark_bin
from recwh.tables import RECOMMENDATIONS


def beeline(port: int, sql: str, home: Path) -> list[list[str]]:
    """Rows of a query run by the Hive JDBC client that ships in the pyspark wheel."""
    result = run(spark_bin("beeline"), "-u", f"jdbc:hive2://127.0.0.1:{port}", "-n", "recwh",
                 "--silent=true", "--outputformat=csv2", "-e", sql, home=home, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    # Even when silent, beeline prints its prompt in front of the header row.
    header = next(i for i, line in enumerate(lines) if "jdbc:hive2://" in line)
    return [line.split(",") for line in lines[header + 1:]]


def test_serve_answers_sql_over_the_warehouse(tiny_warehouse, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    server = start("recwh", "serve", "--port", port, home=tiny_warehouse, log=log)
    try:
        wait_for_port(port, server, log, timeout=150)

        rows = beeline(port, f"select count(*), count(distinct user_id) from {RECOMMENDATIONS}", tiny_warehouse)
        expected = DeltaTable(str(delta_path(tiny_warehouse, RECOMMENDATIONS))).to_pandas()
        assert rows == [[str(len(expected)), str(expected["user_id"].nunique())]]

        # A second JVM on the same home would fail deep inside Derby: refuse it up front.
        second = run("recwh", "serve", "--port", free_port(), home=tiny_warehouse)
        assert second.returncode == 1
        assert "in use by another process" in second.stderr
        assert "one process per warehouse home" in second.stderr
    finally:
        stop(server)
    # SIGTERM stops the server cleanly, as Ctrl-C does: the CLI exits 0 and frees the metastore.
    assert server.returncode == 0, log.read_text()
    assert not metastore_in_use(tiny_warehouse)
