from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from recwh.progress import is_terminal


def recommend(
    user_id: Annotated[str, typer.Argument(help="The user's id, exactly as the source gives it.")],
    device: Annotated[Optional[str], typer.Option(help="Context: a device (roku, iphone, ...) or class (tv, mobile, tablet, desktop).")] = None,
    at: Annotated[Optional[str], typer.Option(help="Context: local time HH:MM, e.g. 21:00.")] = None,
    country: Annotated[Optional[str], typer.Option(help="Context: country code (default: the user's country).")] = None,
) -> None:
    """Print a user's recommendations with the reason for each.

    With --device and --at, the context-aware list (the context-free one when
    that context has too little data)."""
    from recwh.errors import RecwhError
    from recwh.recommend import context_recommendations_for, recommendations_for

    if (device is None) != (at is None) or (country and device is None):
        raise RecwhError("a context needs both --device and --at",
                         hint="e.g. recwh recommend USER --device tv --at 21:00 [--country US]")
    if device is None:
        rows, heading = recommendations_for(user_id), None
    else:
        found = context_recommendations_for(user_id, device, at, country)
        rows, context = found.rows, found.context
        heading = (f"context: {context.daypart.replace('_', ' ')} on {context.device_class} "
                   f"in {context.country or '?'}")
        if found.note:
            heading += f"\nnote: {found.note}"
    typer.echo(f"Recommendations for user {user_id} ({rows[0]['strategy']}):")
    if heading:
        typer.echo(heading)
    if is_terminal():
        print_table(rows)
        return
    # Piped or captured: one fixed-width line per item, easy to grep and cut.
    typer.echo(f"{'#':>3}  {'score':>5}  {'title':<40}  reason")
    for row in rows:
        title = (row["title"] or row["item_id"])[:40]
        typer.echo(f"{row['rank']:>3}  {row['score']:.3f}  {title:<40}  {row['reason']}")


def print_table(rows: list[dict]) -> None:
    """The list as a table that fits the terminal: long titles and reasons wrap instead of being cut."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("title", ratio=2)
    table.add_column("reason", ratio=3, style="dim")
    for row in rows:
        table.add_row(str(row["rank"]), f"{row['score']:.3f}", row["title"] or row["item_id"], row["reason"])
    Console().print(table)


def tables(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of {name, path, rows}.")] = False,
) -> None:
    """List every Delta table in the warehouse with its path and row count."""
    from recwh.spark import home
    from recwh.warehouse import list_tables

    infos = list_tables()
    if as_json:
        typer.echo(json.dumps([{"name": t.name, "path": t.path, "rows": t.rows} for t in infos], indent=2))
        return
    if not infos:
        typer.echo(f"no Delta tables in {home() / 'tables'} yet: `recwh demo` or `recwh ingest` "
                   "loads data, `recwh run` builds the rest", err=True)
    width = max((len(t.name) for t in infos), default=4)
    for t in infos:
        typer.echo(f"{t.name:<{width}}  {t.rows:>10}  {t.path}")
