"""What the person at the terminal sees: one line and a hint on failure, progress only on a terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess

import typer
from helpers import NO_DATA_TESTS, command, env
from typer.testing import CliRunner

from recwh.cli.errors import guarded
from recwh.spark import project_dir

runner = CliRunner()


def failing_app(spark) -> typer.Typer:
    """A one-command app whose command fails the way Spark fails inside recwh's commands."""
    app = typer.Typer()

    @app.command()
    @guarded
    def query(table: str) -> None:
        spark.sql(f"select * from {table}").collect()

    @app.command()
    @guarded
    def divide() -> None:
        print(1 / 0)

    return app


def test_spark_and_unexpected_errors_print_one_line_and_a_hint(spark, monkeypatch):
    monkeypatch.delenv("RECWH_VERBOSE", raising=False)
    app = failing_app(spark)

    result = runner.invoke(app, ["query", "no_such_schema.no_such_table"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Error: Spark failed: [TABLE_OR_VIEW_NOT_FOUND]")
    assert lines[1].startswith("Hint: the warehouse") and "recwh run" in lines[1]
    assert len(lines) == 2 and "Traceback" not in result.output

    result = runner.invoke(app, ["divide"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: unexpected ZeroDivisionError: division by zero",
        "Hint: rerun with --verbose for the full trace, and please report it",
    ]

    # --verbose (the CLI sets RECWH_VERBOSE) lets the exception and its trace through.
    monkeypatch.setenv("RECWH_VERBOSE", "1")
    result = runner.invoke(app, ["query", "no_such_schema.no_such_table"])
    assert type(result.exception).__name__ == "AnalysisException"


def test_help_shows_value_placeholders_on_options_and_none_on_flags():
    from recwh.cli.main import app

    result = runner.invoke(app, ["run", "--help"], terminal_width=120)
    assert result.exit_code == 0
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.startswith("│ --")}
    assert "<int range>" in lines["--rank"]
    assert "<" not in lines["--force"] and "<" not in lines["--help"], result.output


def test_tables_on_an_empty_home_says_so(tmp_path, monkeypatch):
    from recwh.cli.main import app

    monkeypatch.setenv("RECWH_HOME", str(tmp_path / "empty"))  # not --home: it would outlive the test
    result = runner.invoke(app, ["tables"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith(f"no Delta tables in {tmp_path / 'empty' / 'tables'} yet")
    assert runner.invoke(app, ["tables", "--json"]).stdout == "[]\n"


def test_a_failed_dbt_build_is_one_line_naming_the_failed_nodes(tmp_path):
    """`recwh run` on a home without raw data: dbt fails, recwh says which nodes, no traceback.

    Without data tests: those of the nodes that do build (the seeds) would pass and only take time."""
    home = tmp_path / "empty"
    result = subprocess.run(command(["recwh", "run"]), env=env(home, **NO_DATA_TESTS), cwd=project_dir(),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith(("Error:", "Hint:"))]
    assert errors[0].startswith("Error: dbt build failed: ")
    assert "stg_raw__events (error)" in errors[0]
    assert errors[1].startswith("Hint: dbt's output above says why")
    assert "Traceback" not in result.stderr


def test_progress_shows_on_a_terminal_only(tmp_path):
    """On a pseudo-terminal; the CliRunner tests elsewhere (not a terminal) see none of it."""
    args = ["recwh", "demo", "--users", "30", "--items", "20", "--seed", "3", "--events-per-user", "4"]
    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(command(args), env={**env(tmp_path / "tty"), "COLUMNS": "120"},
                                   cwd=project_dir(), stdout=secondary, stderr=secondary, stdin=subprocess.DEVNULL)
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the terminal closed: the process is done
                break
            if not chunk:
                break
            output += chunk
        assert process.wait(timeout=600) == 0, output.decode(errors="replace")
    finally:
        os.close(main)
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", output.decode(errors="replace"))  # colours, cursor moves
    for step in ("done generating 30 users and 20 items", "done starting Spark", "done writing"):
        assert step in text, text
    assert "raw.events:" in text  # the command's own result lines are still there
