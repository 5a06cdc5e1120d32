"""`recwh evaluate --context`: the context protocol's output."""

from __future__ import annotations

import typer

from recwh.cli.evaluate import format_table


def evaluate_context(params) -> None:
    from recwh.evaluate_context import evaluate_context as run_protocol
    from recwh.spark import get_spark

    result = run_protocol(get_spark(), params)
    typer.echo(
        f"context evaluation {result.evaluation_run_id}: {result.n_train} training and {result.n_test} "
        f"held-out (latest) interactions, {result.n_units} (user, context) units, "
        f"{result.duration_seconds:.0f} s (metrics @{params.k}, 'users' = units)"
    )
    typer.echo(f"held-out pairs with a known context: {result.known_context_share:.1%}; "
               f"units with a context list: {result.n_units_with_context_list} of {result.n_units}")
    typer.echo(format_table(result.rows))
    if result.ndcg_lift is not None:
        typer.echo(f"context-aware vs context-free nDCG@{params.k}: {result.ndcg_lift:+.1%}")
    if result.note:
        typer.echo(f"note: {result.note}")
