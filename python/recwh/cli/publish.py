from __future__ import annotations

import json
from typing import Annotated

import typer

from recwh import progress


def refresh() -> None:
    """Fold users with new interactions into the published model (no retraining) and republish."""
    from recwh.pipeline import refresh as refresh_pipeline

    with progress.shown():
        result = refresh_pipeline()
    if result.run_id is None:
        typer.echo(f"no user has new interactions since run {result.model_run_id} was published; nothing to refresh")
        return
    typer.echo(
        f"run {result.run_id}: folded {result.n_folded} users ({result.n_new_users} new) into run "
        f"{result.model_run_id} in {result.duration_seconds:.1f} s; recommendations republished"
    )


def rollback(
    run: Annotated[str, typer.Option("--run", help="The run id whose recommendations to restore (see `recwh runs`).")],
) -> None:
    """Restore the model and recommendations an earlier run published (Delta time travel)."""
    from recwh.publish import rollback as rollback_to
    from recwh.spark import get_spark

    result = rollback_to(get_spark(), run)
    if not result.restored:
        typer.echo(f"run {run} is already what readers see; nothing restored")
        return
    for table, (before, after) in result.restored.items():
        typer.echo(f"restored {table}: version {before} -> as of version {after}")
    typer.echo(f"run {run} is published again (recommendations version "
               f"{result.publication.recommendations_version})")


def runs(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """Every published version of the recommendations, newest first, with its run."""
    from recwh.publish import history

    rows = history()
    if as_json:
        typer.echo(json.dumps(rows, default=str, indent=2))
        return
    typer.echo(f"{'published_at':<19}  {'action':<8}  {'run_id':<16}  {'version':>7}  ndcg@10")
    for row in rows:
        ndcg = "" if row["ndcg_at_10"] is None else f"{row['ndcg_at_10']:.4f}"
        typer.echo(f"{row['published_at']:%Y-%m-%d %H:%M:%S}  {row['action']:<8}  {row['run_id']:<16}  "
                   f"{row['recommendations_version']:>7}  {ndcg}")
