from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from recwh import progress
from recwh.cli.errors import guarded, user_errors

app = typer.Typer(help="Load source data into the raw Delta tables.", no_args_is_help=True)


@app.command("movielens")
@guarded
def movielens(
    path: Annotated[Path, typer.Argument(help="A MovieLens folder, or its zip as downloaded: ml-100k layout (u.data, u.item, u.user), ml-1m / ml-10m (ratings.dat, movies.dat, users.dat, tags.dat) or ml-latest / ml-20m / ml-25m (ratings.csv, movies.csv, tags.csv).")],
) -> None:
    """Load a MovieLens folder: ratings become rating events, genres and tags catalog metadata."""
    from recwh import movielens as ml
    from recwh.spark import get_spark
    from recwh.warehouse import write_raw

    with user_errors(ml.MovieLensError), progress.shown():
        progress.step(f"reading {path}")
        frames = ml.read(path)  # parse and check everything before Spark starts
        counts = write_raw(get_spark(), frames, source=f"movielens:{path.resolve().name.removesuffix('.zip')}")
    for table, rows in counts.items():
        typer.echo(f"{table}: {rows} rows")
