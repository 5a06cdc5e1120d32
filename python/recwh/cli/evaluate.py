from __future__ import annotations

from typing import Annotated, Optional

import typer

from recwh import progress
from recwh.cli.model import Alpha, Candidates, Confidence, MaxIter, Rank, RegParam, als_options

METRICS = ("precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "coverage", "rmse", "mae")


def evaluate(
    seed: Annotated[int, typer.Option(help="Seed of the per-user random split.")] = 42,
    k: Annotated[int, typer.Option(min=1, help="Length of each recommended list.")] = 10,
    train_ratio: Annotated[float, typer.Option(min=0.05, max=0.95, help="Share of each user's interactions to train on.")] = 0.75,
    rank: Rank = None, max_iter: MaxIter = None, reg_param: RegParam = None, alpha: Alpha = None,
    confidence: Confidence = None,
    als_seed: Annotated[Optional[int], typer.Option(help="Random seed of the ALS models. (default: 42)")] = None,
    candidates: Candidates = None,
    tune: Annotated[bool, typer.Option("--tune", help="First tune ALS and the blend on a validation split of the training part (as `recwh tune`).")] = False,
    report: Annotated[bool, typer.Option("--report", help="Also write an HTML report with plots under RECWH_HOME/reports/.")] = False,
    context: Annotated[bool, typer.Option("--context", help="The context protocol: hold out each user's latest interactions and compare the context-aware list with the context-free one on their contexts.")] = False,
) -> None:
    """Score the hybrid mart, ALS, content, most-popular and explicit ALS on a held-out 25% of each user's interactions.

    Builds the real models into eval_* schemas (production tables stay
    untouched) and appends one row per model to ml.evaluation_runs. Settings
    saved by `recwh tune` are not used: they were chosen on data that includes
    this evaluation's test pairs.
    """
    from dataclasses import replace

    from recwh.evaluate import EvaluationParams, evaluate as run_evaluation
    from recwh.params import DEFAULT_ALS
    from recwh.spark import get_spark
    from recwh.tune import TuneParams

    options = als_options(rank=rank, max_iter=max_iter, reg_param=reg_param, alpha=alpha,
                          confidence=confidence, seed=als_seed, candidates=candidates)
    als = replace(DEFAULT_ALS, **options)
    params = EvaluationParams(k=k, train_ratio=train_ratio, seed=seed, als=als, report=report,
                              tune=TuneParams(k=k, seed=seed) if tune else None)
    if context:
        from recwh.cli.evaluate_context import evaluate_context

        return evaluate_context(params)
    with progress.shown():
        result = run_evaluation(get_spark(), params)
    typer.echo(
        f"evaluation {result.evaluation_run_id}: {result.n_train} training and {result.n_test} held-out "
        f"interactions, {result.duration_seconds:.0f} s (metrics @{k})"
    )
    typer.echo(format_table(result.rows))
    if result.report_path:
        typer.echo(f"report: {result.report_path}")


def format_table(rows: list[dict]) -> str:
    headers = ["model", "users", *(m.removesuffix("_at_10") for m in METRICS)]
    lines = [f"{headers[0]:<14}{headers[1]:>7}" + "".join(f"{h:>11}" for h in headers[2:])]
    for row in rows:
        cells = "".join(f"{'-':>11}" if row[m] is None else f"{row[m]:>11.4f}" for m in METRICS)
        lines.append(f"{row['model_name']:<14}{row['n_users']:>7}" + cells)
    return "\n".join(lines)
