"""recwh: warehouse-centric recommendations. A thin Typer layer over the recwh library."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from recwh.cli import demo, evaluate, ingest, model, publish, serve, stream, warehouse
from recwh.cli.errors import guarded

app = typer.Typer(
    name="recwh",
    help="Personal recommendations computed in your lakehouse: dbt + Spark ALS on Delta Lake.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(ingest.app, name="ingest")
app.command("demo")(guarded(demo.demo))
app.command("stream")(guarded(stream.stream))
app.command("train")(guarded(model.train))
app.command("run")(guarded(model.run))
app.command("tune")(guarded(model.tune))
app.command("refresh")(guarded(publish.refresh))
app.command("rollback")(guarded(publish.rollback))
app.command("runs")(guarded(publish.runs))
app.command("evaluate")(guarded(evaluate.evaluate))
app.command("recommend")(guarded(warehouse.recommend))
app.command("tables")(guarded(warehouse.tables))
app.command("serve")(guarded(serve.serve))


@app.callback()
def main(
    master: Annotated[
        Optional[str],
        typer.Option(help="Spark master URL, e.g. spark://host:7077 (default: in-process local[*])."),
    ] = None,
    home: Annotated[
        Optional[Path],
        typer.Option(help="Warehouse folder: tables, metastore, checkpoints. Default: $RECWH_HOME or ./warehouse."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show full tracebacks.")] = False,
) -> None:
    # Settings travel as environment variables: recwh.spark reads them when the session starts.
    if master:
        os.environ["RECWH_MASTER"] = master
    if home:
        os.environ["RECWH_HOME"] = str(home.resolve())
    if verbose:
        os.environ["RECWH_VERBOSE"] = "1"
        os.environ.setdefault("RECWH_LOG_LEVEL", "WARN")


if __name__ == "__main__":
    app()
