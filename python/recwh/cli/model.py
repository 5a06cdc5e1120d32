from __future__ import annotations

from typing import Annotated

import typer

from recwh.cli.errors import user_errors

# ALS options shared by `train` and `run`; defaults come from recwh.train.AlsParams.
Feedback = Annotated[str, typer.Option(help="implicit (confidence from events) or explicit (ratings).")]
Rank = Annotated[int, typer.Option(min=1, help="Number of latent factors.")]
MaxIter = Annotated[int, typer.Option(min=1, help="ALS iterations.")]
RegParam = Annotated[float, typer.Option(min=0, help="L2 regularisation.")]
Alpha = Annotated[float, typer.Option(min=0, help="Implicit feedback: confidence scale.")]
Seed = Annotated[int, typer.Option(help="Random seed for ALS and the holdout split.")]
Candidates = Annotated[int, typer.Option(min=1, help="ALS candidates kept per user for the hybrid mart.")]
Holdout = Annotated[float, typer.Option(min=0, max=0.9, help="Share of each user's interactions held out to measure the model (0 skips it).")]
Force = Annotated[bool, typer.Option("--force", help="Retrain even if the published run has the same params and input.")]


def _params(**kwargs):
    from recwh.train import AlsParams

    return AlsParams(**kwargs)


def _report(result) -> None:
    status = "unchanged input and params, training skipped (use --force to retrain)" if result.is_skipped \
        else f"trained in {result.duration_seconds:.1f} s"
    typer.echo(
        f"run {result.run_id}: {result.n_users} users, {result.n_items} items, "
        f"{result.n_interactions} interactions; {status}"
    )
    for name, value in result.metrics.items():
        if value is not None:
            typer.echo(f"  {name}: {value:.4f}")


def train(
    feedback: Feedback = "implicit", rank: Rank = 24, max_iter: MaxIter = 15,
    reg_param: RegParam = 0.1, alpha: Alpha = 1.0, seed: Seed = 42,
    candidates: Candidates = 100, holdout: Holdout = 0.2, force: Force = False,
) -> None:
    """Train ALS on marts.fct_interactions; write factors, candidates and a model_runs row to Delta."""
    from recwh.spark import get_spark
    from recwh.train import train as train_als

    with user_errors():
        params = _params(feedback=feedback, rank=rank, max_iter=max_iter, reg_param=reg_param,
                         alpha=alpha, seed=seed, candidates=candidates, holdout_fraction=holdout)
        result = train_als(get_spark(), params, force=force)
    _report(result)


def run(
    feedback: Feedback = "implicit", rank: Rank = 24, max_iter: MaxIter = 15,
    reg_param: RegParam = 0.1, alpha: Alpha = 1.0, seed: Seed = 42,
    candidates: Candidates = 100, holdout: Holdout = 0.2, force: Force = False,
) -> None:
    """The whole pipeline in one Spark session: dbt build, ALS training, then the hybrid marts."""
    from recwh.pipeline import run as run_pipeline
    from recwh.spark import get_spark
    from recwh.warehouse import event_accounting

    with user_errors():
        params = _params(feedback=feedback, rank=rank, max_iter=max_iter, reg_param=reg_param,
                         alpha=alpha, seed=seed, candidates=candidates, holdout_fraction=holdout)
        result = run_pipeline(params, force=force)
    _report(result)
    typer.echo(event_accounting(get_spark()).summary())
