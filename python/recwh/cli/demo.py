from __future__ import annotations

from typing import Annotated

import typer

from recwh import progress


def demo(
    users: Annotated[int, typer.Option(min=1, help="Number of users.")] = 1000,
    items: Annotated[int, typer.Option(min=10, help="Number of catalog items.")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 42,
    events_per_user: Annotated[float, typer.Option(min=1, help="Average sessions per user.")] = 30.0,
) -> None:
    """Generate a realistic OTT data set (tastes, popularity skew, devices, dirty rows) into the raw tables."""
    from recwh import demo as generator
    from recwh.spark import get_spark
    from recwh.warehouse import write_raw

    with progress.shown():
        progress.step(f"generating {users:,} users and {items:,} items")
        frames = generator.generate(users=users, items=items, seed=seed, events_per_user=events_per_user)
        counts = write_raw(get_spark(), frames, source="demo")
    for table, rows in counts.items():
        typer.echo(f"{table}: {rows} rows")
