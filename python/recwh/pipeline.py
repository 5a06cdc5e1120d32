"""dbt and training, run in one process on one SparkSession."""

from __future__ import annotations

from recwh.errors import RecwhError
from recwh.publish import REFRESH, TRAIN, record_publication
from recwh.refresh import RefreshResult, refresh_model
from recwh.spark import get_spark, home, project_dir
from recwh.train import AlsParams, TrainResult, train

# Models that read what `recwh train` writes (the `ml` source) are built after training.
AFTER_TRAINING = "source:ml+"


def dbt(*args: str, target_dir: str = "target") -> None:
    """Invoke dbt in-process, so dbt-spark's session method reuses recwh's SparkSession.

    `target_dir` keeps another var set's artifacts (and partial-parse state) apart.
    """
    from dbt.cli.main import dbtRunner

    get_spark()
    project = project_dir()
    result = dbtRunner().invoke([
        *args,
        "--project-dir", str(project),
        "--profiles-dir", str(project / "profiles"),
        "--target-path", str(home() / "dbt" / target_dir),
        "--log-path", str(home() / "dbt" / "logs"),
    ])
    if not result.success:
        detail = f": {result.exception}" if result.exception else ""
        raise RecwhError(f"dbt {' '.join(args)} failed{detail}",
                         hint=f"see the log above and {home() / 'dbt' / 'logs' / 'dbt.log'}")


def run(params: AlsParams = AlsParams(), force: bool = False) -> TrainResult:
    """The whole pipeline: build and test the models, train ALS, build and publish the hybrid marts."""
    dbt("build", "--exclude", AFTER_TRAINING)
    result = train(get_spark(), params, force=force)
    dbt("build", "--select", AFTER_TRAINING)
    record_publication(get_spark(), result.run_id, TRAIN)
    return result


def refresh() -> RefreshResult:
    """`run` with a fold-in of the users with new interactions instead of training."""
    dbt("build", "--exclude", AFTER_TRAINING)
    result = refresh_model(get_spark())
    if result.run_id is not None:
        dbt("build", "--select", AFTER_TRAINING)
        record_publication(get_spark(), result.run_id, REFRESH, model_run_id=result.model_run_id)
    return result
