from __future__ import annotations

from typing import Annotated, Optional

import typer

from recwh import progress
from recwh.params import DEFAULT_ALS as D
from recwh.params import EXPLICIT_REG_PARAMS, HOLDOUT_CHOICES

# ALS options shared by `train`, `run` and `evaluate`. Left unset, an option takes the
# settings `recwh tune` saved, else the built-in default shown.
Feedback = Annotated[Optional[str], typer.Option(help=f"implicit (confidence from events) or explicit (ratings). (default: {D.feedback})")]
Rank = Annotated[Optional[int], typer.Option(min=1, help=f"Number of latent factors. (default: {D.rank})")]
MaxIter = Annotated[Optional[int], typer.Option(min=1, help=f"ALS iterations. (default: {D.max_iter})")]
_PAIRS = ", ".join(f"{reg_param} / {alpha}" for reg_param, alpha in HOLDOUT_CHOICES)
RegParam = Annotated[Optional[float], typer.Option(min=0, help=f"L2 regularisation. (default: chosen on the holdout with alpha, among {_PAIRS}; explicit feedback: among {', '.join(map(str, EXPLICIT_REG_PARAMS))})")]
Alpha = Annotated[Optional[float], typer.Option(min=0, help="Implicit feedback: confidence scale. (default: chosen with regParam)")]
Confidence = Annotated[Optional[str], typer.Option(help=f"Implicit feedback: 'weighted' (event weights) or 'binary'. (default: {D.confidence})")]
Seed = Annotated[Optional[int], typer.Option(help=f"Random seed for ALS and the holdout split. (default: {D.seed})")]
Candidates = Annotated[Optional[int], typer.Option(min=1, help=f"ALS candidates kept per user for the hybrid mart. (default: {D.candidates})")]
Holdout = Annotated[Optional[float], typer.Option(min=0, max=0.9, help=f"Share of each user's interactions held out to measure the model, 0 skips it. (default: {D.holdout_fraction})")]
Force = Annotated[bool, typer.Option("--force", help="Retrain even if the published run has the same params and input.")]


def als_options(**options) -> dict:
    """The ALS options the user set, named as AlsParams fields."""
    names = {"holdout": "holdout_fraction"}
    return {names.get(name, name): value for name, value in options.items() if value is not None}


def _report(result) -> None:
    status = "unchanged input and params, training skipped (use --force to retrain)" if result.is_skipped \
        else f"trained in {result.duration_seconds:.1f} s"
    typer.echo(
        f"run {result.run_id}: {result.n_users} users, {result.n_items} items, "
        f"{result.n_interactions} interactions, regParam {result.reg_param}, alpha {result.alpha}; {status}"
    )
    for name, value in result.metrics.items():
        if value is not None:
            typer.echo(f"  {name}: {value:.4f}")


def train(
    feedback: Feedback = None, rank: Rank = None, max_iter: MaxIter = None,
    reg_param: RegParam = None, alpha: Alpha = None, confidence: Confidence = None, seed: Seed = None,
    candidates: Candidates = None, holdout: Holdout = None, force: Force = False,
) -> None:
    """Train ALS on marts.fct_interactions; write factors, candidates and a model_runs row to Delta."""
    from recwh.pipeline import settings
    from recwh.spark import get_spark
    from recwh.train import train as train_als

    options = als_options(feedback=feedback, rank=rank, max_iter=max_iter, reg_param=reg_param, alpha=alpha,
                          confidence=confidence, seed=seed, candidates=candidates, holdout=holdout)
    with progress.shown():
        spark = get_spark()
        result = train_als(spark, settings(spark, options).als, force=force)
    _report(result)


def run(
    feedback: Feedback = None, rank: Rank = None, max_iter: MaxIter = None,
    reg_param: RegParam = None, alpha: Alpha = None, confidence: Confidence = None, seed: Seed = None,
    candidates: Candidates = None, holdout: Holdout = None, force: Force = False,
) -> None:
    """The whole pipeline in one Spark session: dbt build, ALS training, then the hybrid marts."""
    from recwh.pipeline import run as run_pipeline
    from recwh.spark import get_spark
    from recwh.warehouse import event_accounting

    options = als_options(feedback=feedback, rank=rank, max_iter=max_iter, reg_param=reg_param, alpha=alpha,
                          confidence=confidence, seed=seed, candidates=candidates, holdout=holdout)
    with progress.shown():
        # printed (click flushes) as each stage ends, so a watcher (bench/scale.py) can attribute time and memory
        result = run_pipeline(options, force=force,
                              on_stage=lambda name, seconds: typer.echo(f"stage {name}: {seconds:.1f} s"))
    if result.is_resumed:
        typer.echo("the last run stopped after its dbt stage: resumed from there, "
                   f"{result.n_models_built} dbt nodes rebuilt for what changed since")
    elif result.is_incremental and not (result.n_models_built or result.changed_vars):
        typer.echo("nothing new since the last run: models left as they are" if result.training.is_skipped
                   else "no new data since the last run, but the published model is not of these params: "
                   "retrained and rebuilt the final marts")
    elif result.is_incremental:
        typer.echo(f"rebuilt only what changed since the last run: {result.n_models_built} dbt nodes before training"
                   + (f", and what reads the changed vars ({', '.join(result.changed_vars)})" if result.changed_vars
                      else "")
                   + ("" if result.is_merged else " (incremental models rebuilt in full)"))
    _report(result.training)
    typer.echo(event_accounting(get_spark()).summary())


def tune(
    seed: Annotated[int, typer.Option(help="Seed of the per-user validation split.")] = 42,
    k: Annotated[int, typer.Option(min=1, help="Length of the lists scored (nDCG@k).")] = 10,
    train_ratio: Annotated[float, typer.Option(min=0.05, max=0.95, help="Share of each user's interactions to fit on; the rest validates.")] = 0.75,
) -> None:
    """Search ALS params and blend weights on a validation split; `recwh run` then uses the best.

    Logs every trial to ml.tuning_trials and the best settings to ml.tuning_runs.
    """
    from recwh.spark import get_spark
    from recwh.tune import TuneParams, tune as run_tuning

    with progress.shown():
        result = run_tuning(get_spark(), TuneParams(k=k, train_ratio=train_ratio, seed=seed))
    typer.echo(format_trials(result.trials, k))
    als = result.settings.als
    typer.echo(
        f"tuning {result.tuning_run_id}: {len(result.trials)} trials, {result.duration_seconds:.0f} s; "
        f"validation nDCG@{k}: ALS {result.start_als_ndcg:.4f} -> {result.best_als_ndcg:.4f}, hybrid {result.best_ndcg:.4f}\n"
        f"best: rank {als.rank}, reg_param {als.reg_param}, alpha {als.alpha}, confidence {als.confidence}, "
        f"max_iter {als.max_iter}; "
        + ", ".join(f"{name} {value}" for name, value in sorted(result.settings.dbt_vars.items()))
        + "\nsaved: `recwh run` and `recwh train` use these until the next tuning (options given on the command line win)"
    )


def format_trials(trials: list[dict], k: int) -> str:
    lines = [f"{'trial':>5}  {'stage':<6}{'ndcg@' + str(k):>9}{'prec@' + str(k):>9}{'coverage':>9}{'s':>6}  params"]
    for trial in trials:
        lines.append(
            f"{trial['trial']:>5}  {trial['stage']:<6}{trial['ndcg_at_10']:>9.4f}{trial['precision_at_10']:>9.4f}"
            f"{trial['coverage']:>9.4f}{trial['duration_seconds']:>6.0f}  {trial['params_json']}"
        )
    return "\n".join(lines)
