"""dbt and training, run in one process on one SparkSession."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from recwh import progress
from recwh.errors import RecwhError
from recwh.params import Settings
from recwh.publish import REFRESH, TRAIN, is_published_since, record_publication
from recwh.refresh import RefreshResult, refresh_model
from recwh.spark import get_spark, home, project_dir
from recwh.train import TrainResult, train

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Models that read what `recwh train` writes (the `ml` source) are built after training.
AFTER_TRAINING = "source:ml+"


def excluded_resource_types() -> tuple[str, ...]:
    """Unit tests check the SQL's logic on fixed inputs, not the data: dbt advises running them
    in development and CI, not in production builds (the test suite runs them). Exposures only
    name recwh as a reader; a build would list them as no-op nodes. dbt's own
    DBT_EXCLUDE_RESOURCE_TYPES adds to that (e.g. "test": build without data tests on a dev loop);
    the explicit option would otherwise override it."""
    return ("--exclude-resource-type", "unit_test", "exposure",
            *os.environ.get("DBT_EXCLUDE_RESOURCE_TYPES", "").split())


def dbt(*args: str, target_dir: str = "target", check: bool = True):
    """Invoke dbt in-process, so dbt-spark's session method reuses recwh's SparkSession.

    `target_dir` keeps another var set's artifacts (and partial-parse state) apart. Returns
    dbt's result object (for `build`, its node results).
    """
    from dbt.cli.main import dbtRunner

    get_spark()
    project = project_dir()
    result = dbtRunner(callbacks=progress.dbt_callbacks(args)).invoke([
        *args,
        "--project-dir", str(project),
        "--profiles-dir", str(project / "profiles"),
        "--target-path", str(home() / "dbt" / target_dir),
        "--log-path", str(home() / "dbt" / "logs"),
    ])
    if check and not result.success:
        raise RecwhError(f"dbt {args[0]} failed: {failure_summary(result)}",
                         hint=f"dbt's output above says why; its log is {home() / 'dbt' / 'logs' / 'dbt.log'}")
    return result.result


def failure_summary(result) -> str:
    """One line: dbt's own exception, else the nodes that errored or failed."""
    if result.exception is not None:
        return str(result.exception).strip().splitlines()[0]
    failed = [f"{r.node.resource_type} {r.node.name} ({r.status})" for r in getattr(result.result, "results", [])
              if str(r.status) in ("error", "fail", "runtime error")]
    if not failed:
        return "see its output"
    shown = ", ".join(failed[:3]) + (f" and {len(failed) - 3} more" if len(failed) > 3 else "")
    return f"{len(failed)} of {len(result.result.results)} nodes: {shown}"


def settings(spark: SparkSession, als_options: dict | None = None) -> Settings:
    """What a run uses: the ALS options given, else what `recwh tune` saved last, else the defaults."""
    from recwh.tune import latest_settings

    return (latest_settings(spark) or Settings()).with_als(**(als_options or {}))


@dataclass(frozen=True)
class RunResult:
    training: TrainResult
    n_models_built: int  # dbt nodes (models, seeds, tests) run before training; 0 = nothing new
    is_incremental: bool  # only what changed since the last run's dbt stage was rebuilt
    is_merged: bool  # the incremental models merged in new events (no --full-refresh)
    changed_vars: tuple[str, ...] = ()  # dbt vars whose value differs from that stage's
    is_resumed: bool = False  # the last run stopped after its dbt stage: this one took over from there


def state_dir() -> Path:
    """dbt artifacts of the last run whose dbt stage completed: what a rerun compares against."""
    return home() / "dbt" / "state"


STATE_ARTIFACTS = ("manifest.json", "sources.json")  # copied from dbt's target dir
VARS_FILE = "vars.json"  # the dbt vars of that run: other vars mean a full build
# Present when that run stopped after its dbt stage (killed or failed in training or the final
# marts): the rerun resumes with training and builds the final marts, unless that run published them.
UNFINISHED_FILE = "unfinished"


def save_state(dbt_vars: str) -> None:
    """Keep dbt's artifacts and these vars as the state a rerun compares against, marked
    unfinished until `mark_finished`.

    Staged beside the state and renamed in: a process killed meanwhile leaves the old state or
    none (then a full build), never a half-copied one.
    """
    state, target = state_dir(), home() / "dbt" / "target"
    staged = state.with_name(state.name + ".new")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir(parents=True)
    for name in STATE_ARTIFACTS:
        if (target / name).exists():
            shutil.copyfile(target / name, staged / name)
    (staged / VARS_FILE).write_text(dbt_vars)
    (staged / UNFINISHED_FILE).touch()
    shutil.rmtree(state, ignore_errors=True)
    staged.rename(state)


def mark_finished() -> None:
    """The run that saved the state built its final marts too."""
    (state_dir() / UNFINISHED_FILE).unlink(missing_ok=True)


def unfinished_since() -> datetime | None:
    """When the last run that stopped after its dbt stage, before `mark_finished`, completed
    that stage (UTC); None if the last run finished."""
    marker = state_dir() / UNFINISHED_FILE
    if not marker.exists():
        return None
    return datetime.fromtimestamp(marker.stat().st_mtime, timezone.utc).replace(tzinfo=None)

# Raw-table commits after which the incremental models can merge: appends, and commits that
# change no rows. Any other (a re-ingest replacing a source, a delete, an update, a restore)
# may remove or alter rows they already hold.
APPENDS = {"WRITE": "Append", "STREAMING UPDATE": "Append"}  # operation: its mode
ROWS_UNCHANGED = {"OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES"}


def vars_args(dbt_vars: dict) -> tuple[str, ...]:
    return ("--vars", json.dumps(dbt_vars, sort_keys=True)) if dbt_vars else ()


def all_vars(dbt_vars: dict) -> str:
    """The command-line vars over dbt_project.yml's: dbt's state:modified does not see var changes."""
    import yaml

    project = yaml.safe_load((project_dir() / "dbt_project.yml").read_text()).get("vars", {})
    return json.dumps({**project, **dbt_vars}, sort_keys=True, default=str)


def raw_rewritten(spark: SparkSession) -> bool:
    """Whether raw data changed in a way the incremental models cannot merge in.

    They take only the rows ingested after the latest `_ingested_at` they hold, so they miss a
    row replaced or deleted (a raw commit other than an append since their last build) and a
    row appended with an older `_ingested_at` than that (every raw row gives one
    int_events_validated row, so the counts up to it differ): then they are rebuilt in full.
    """
    from pyspark.sql import functions as F

    from recwh.tables import (
        EVENTS_VALIDATED, FCT_INTERACTIONS, INGESTED_AT_COLUMN, INTERACTIONS_SCORED, RAW_CATALOG, RAW_EVENTS, RAW_USERS,
    )
    from recwh.warehouse import table_exists

    built = [m for m in (EVENTS_VALIDATED, INTERACTIONS_SCORED, FCT_INTERACTIONS) if table_exists(spark, m)]
    if not built or not table_exists(spark, RAW_EVENTS):
        return False  # dbt creates the missing models from everything
    built_at = min(spark.sql(f"describe history {model} limit 1").first()["timestamp"] for model in built)
    for table in (RAW_EVENTS, RAW_CATALOG, RAW_USERS):
        if not table_exists(spark, table):
            continue
        commits = spark.sql(f"describe history {table}").where(F.col("timestamp") > F.lit(built_at)).collect()
        for commit in commits:
            params, append_mode = commit["operationParameters"] or {}, APPENDS.get(commit["operation"])
            is_append = append_mode is not None and append_mode in (params.get("mode"), params.get("outputMode"))
            if not is_append and commit["operation"] not in ROWS_UNCHANGED:
                return True
    if not table_exists(spark, EVENTS_VALIDATED):
        return False
    validated = spark.table(EVENTS_VALIDATED).agg(F.max("ingested_at"), F.count("ingested_at")).first()
    loaded = spark.table(RAW_EVENTS).where(F.col(INGESTED_AT_COLUMN) <= F.lit(validated[0])).count()
    return loaded != validated[1]


def incremental_model_modified(state: Path, var_models: list[str] = ()) -> bool:
    """Whether an incremental model or anything upstream of it (a model, seed, macro, or one of
    `var_models`) changed since `state`."""
    changed = [f"{node},config.materialized:incremental"
               for node in ("state:modified+", *(f"{m}+" for m in var_models))]
    return bool(dbt("ls", "--select", *changed, "--state", str(state), "--output", "name", "--log-level", "none"))


def has_state(dbt_vars: str) -> bool:
    """Whether an earlier run's dbt stage, with these vars (`all_vars`), left its dbt state to compare with."""
    return state_vars() == json.loads(dbt_vars)


def state_vars() -> dict | None:
    """The vars (`all_vars`) of the earlier run whose dbt state is kept, if any."""
    state = state_dir()
    if not all((state / name).exists() for name in (*STATE_ARTIFACTS, VARS_FILE)):
        return None
    return json.loads((state / VARS_FILE).read_text())


def models_reading(var_names: set[str]) -> list[str] | None:
    """The models whose SQL reads one of these vars; None when a macro, a YAML file, a test or
    the project's own configs may read one too, so that no selection is safe."""
    import yaml

    root = project_dir()
    project = yaml.safe_load((root / "dbt_project.yml").read_text())
    reads = re.compile(r"""var\(\s*['"](%s)['"]""" % "|".join(map(re.escape, sorted(var_names))))
    models, others = [], [root / "dbt_project.yml"]
    for folder in project.get("model-paths", ["models"]):
        for path in sorted((root / folder).rglob("*")):
            (models if path.suffix == ".sql" else others).append(path)
    for key in ("macro-paths", "test-paths", "seed-paths", "snapshot-paths", "analysis-paths"):
        others += [path for folder in project.get(key, []) for path in (root / folder).rglob("*")]
    if any(path.is_file() and reads.search(path.read_text(errors="replace")) for path in others):
        return None
    return [path.stem for path in models if reads.search(path.read_text())]


def must_full_refresh(spark: SparkSession, state: Path, var_models: list[str] = ()) -> bool:
    """Whether merging new events into the incremental models, given that state, could keep stale
    rows; `var_models` read vars that changed since."""
    return raw_rewritten(spark) or incremental_model_modified(state, var_models)


def run(als_options: dict | None = None, force: bool = False,
        on_stage: Callable[[str, float], None] | None = None) -> RunResult:
    """The whole pipeline: build and test the models, train ALS, build the hybrid marts.

    After a run whose dbt stage completed, a rerun builds only the models downstream of sources that got
    fresher (a later `_ingested_at`, from `dbt source freshness`) or of project files that
    changed (dbt's state:modified) or that read a var whose value changed, skips training
    when its input and params are unchanged, and skips the post-training marts when nothing
    before them changed. The incremental models merge in only the new events, unless their
    SQL, something upstream of it or a var they read changed, or a raw table was rewritten:
    then they are rebuilt in full. A run killed or failed after its dbt stage leaves that
    stage's state, so its rerun does not build the models again: it trains (unless the run got
    that far) and builds the final marts (unless it got as far as publishing them). `force`
    rebuilds (`--full-refresh`) and retrains everything. `on_stage(name, seconds)` is called as
    each stage ends.
    """
    started = time.monotonic()

    def stage_done(name: str) -> None:
        nonlocal started
        if on_stage:
            on_stage(name, time.monotonic() - started)
        started = time.monotonic()

    spark = get_spark()
    chosen = settings(spark, als_options)
    dbt_vars = all_vars(chosen.dbt_vars)
    state = state_dir()
    unfinished_at = None if force else unfinished_since()
    is_resumed = unfinished_at is not None
    # Current max(_ingested_at) per source, to compare with the state's; a stale source only warns here.
    dbt("source", "freshness", check=False)
    # dbt's state:modified does not see vars: the models that read a changed one are rebuilt too.
    previous_vars, current_vars = state_vars(), json.loads(dbt_vars)
    last_vars = previous_vars or {}
    changed_vars = {name for name in {*last_vars, *current_vars} if last_vars.get(name) != current_vars.get(name)}
    var_models = models_reading(changed_vars) if changed_vars else []
    is_incremental = not force and previous_vars is not None and var_models is not None
    changed = ("--select", "source_status:fresher+", "state:modified+", *(f"{m}+" for m in var_models),
               "--state", str(state)) if is_incremental else ()
    full_refresh = not is_incremental or must_full_refresh(spark, state, var_models)
    built = dbt("build", *changed, "--exclude", AFTER_TRAINING, *excluded_resource_types(), *vars_args(chosen.dbt_vars),
                *(("--full-refresh",) if full_refresh else ()))
    n_built = len(built.results)
    save_state(dbt_vars)
    stage_done("dbt before training")
    training = train(spark, chosen.als, force=force)
    stage_done("train")
    # A run killed after publishing, before it could mark itself finished, left nothing to build.
    is_published = is_resumed and training.is_skipped and is_published_since(spark, training.run_id, unfinished_at)
    if n_built or not training.is_skipped or not is_incremental or changed_vars or (is_resumed and not is_published):
        dbt("build", "--select", AFTER_TRAINING, *excluded_resource_types(), *vars_args(chosen.dbt_vars))
        record_publication(spark, training.run_id, TRAIN)
        stage_done("final marts")
    mark_finished()
    return RunResult(training, n_built, is_incremental, not full_refresh, tuple(sorted(changed_vars)), is_resumed)


def refresh() -> RefreshResult:
    """`run` with a fold-in of the users with new interactions instead of training."""
    spark = get_spark()
    dbt_vars = settings(spark).dbt_vars
    state = state_dir()
    # Like `run`: merge in the new events unless that would keep stale rows.
    full_refresh = not has_state(all_vars(dbt_vars)) or must_full_refresh(spark, state)
    dbt("build", "--exclude", AFTER_TRAINING, *excluded_resource_types(), *vars_args(dbt_vars),
        *(("--full-refresh",) if full_refresh else ()))
    progress.step("folding users with new interactions into the published model")
    result = refresh_model(spark)
    if result.run_id is not None:
        dbt("build", "--select", AFTER_TRAINING, *excluded_resource_types(), *vars_args(dbt_vars))
        record_publication(spark, result.run_id, REFRESH, model_run_id=result.model_run_id)
    return result
