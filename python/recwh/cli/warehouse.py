from __future__ import annotations

import json
from typing import Annotated

import typer

from recwh.cli.errors import user_errors


def recommend(
    user_id: Annotated[str, typer.Argument(help="The user's id, exactly as the source gives it.")],
) -> None:
    """Print a user's recommendations from the hybrid mart, with the reason for each."""
    from recwh.recommend import recommendations_for
    from recwh.spark import get_spark

    with user_errors():
        rows = recommendations_for(get_spark(), user_id)
    typer.echo(f"Recommendations for user {user_id} ({rows[0]['strategy']}):")
    typer.echo(f"{'#':>3}  {'score':>5}  {'title':<40}  reason")
    for row in rows:
        title = (row["title"] or row["item_id"])[:40]
        typer.echo(f"{row['rank']:>3}  {row['score']:.3f}  {title:<40}  {row['reason']}")


def tables(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {name, path, rows}.")] = False,
) -> None:
    """List every Delta table in the warehouse with its path and row count."""
    from recwh.spark import get_spark
    from recwh.warehouse import list_tables

    with user_errors():
        infos = list_tables(get_spark())
    if as_json:
        typer.echo(json.dumps([{"name": t.name, "path": t.path, "rows": t.rows} for t in infos], indent=2))
        return
    width = max((len(t.name) for t in infos), default=4)
    for t in infos:
        typer.echo(f"{t.name:<{width}}  {t.rows:>10}  {t.path}")
