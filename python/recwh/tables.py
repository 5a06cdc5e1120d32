"""Table names and raw schemas, defined once.

Raw tables land every column as a string, exactly as the source gave it: typing,
trimming and validation are the staging models' job, so nothing is lost on the way in.
"""

from __future__ import annotations

from dataclasses import dataclass

RAW_SCHEMA = "raw"
REFERENCE_SCHEMA = "reference"  # dbt seeds
ML_SCHEMA = "ml"
MARTS_SCHEMA = "marts"
WAREHOUSE_SCHEMAS = (RAW_SCHEMA, "staging", "intermediate", MARTS_SCHEMA, ML_SCHEMA)

RAW_EVENTS = f"{RAW_SCHEMA}.events"
RAW_CATALOG = f"{RAW_SCHEMA}.catalog"
RAW_USERS = f"{RAW_SCHEMA}.users"

# Lineage columns recwh adds to every raw row.
SOURCE_COLUMN = "_source"
INGESTED_AT_COLUMN = "_ingested_at"
# raw.events only: the text of a line `recwh stream` could not parse (its other columns are
# null); staging quarantines such rows as 'malformed'. Null for every parsed row.
MALFORMED_COLUMN = "_malformed_record"

RAW_COLUMNS = {
    RAW_EVENTS: [
        "user_id", "item_id", "event_type", "value", "watch_seconds",
        "occurred_at", "device", "country",
    ],
    RAW_CATALOG: [
        "item_id", "title", "kind", "genres", "directors", "cast",
        "release_year", "runtime_min", "language", "description",
    ],
    RAW_USERS: ["user_id", "signup_at", "country", "plan"],
}
# Multi-valued catalog fields (genres, directors, cast) are '|'-separated strings in raw.
LIST_SEPARATOR = "|"

FCT_INTERACTIONS = f"{MARTS_SCHEMA}.fct_interactions"
RECOMMENDATIONS = f"{MARTS_SCHEMA}.recommendations"
DIM_ITEMS = f"{MARTS_SCHEMA}.dim_items"
DIM_USERS = f"{MARTS_SCHEMA}.dim_users"
RECOMMENDATIONS_BY_CONTEXT = f"{MARTS_SCHEMA}.recommendations_by_context"
EVENTS_CONTEXTUALIZED = "intermediate.int_events_contextualized"
DEVICE_CLASSES = f"{REFERENCE_SCHEMA}.device_classes"
HOUR_DAYPARTS = f"{REFERENCE_SCHEMA}.hour_dayparts"
QUARANTINED_ROWS = f"{MARTS_SCHEMA}.quarantined_rows"
EVENTS_VALIDATED = "intermediate.int_events_validated"
INTERACTIONS_SCORED = "intermediate.int_interactions_scored"

USER_INDEX = f"{ML_SCHEMA}.user_index"
ITEM_INDEX = f"{ML_SCHEMA}.item_index"
USER_FACTORS = f"{ML_SCHEMA}.user_factors"
ITEM_FACTORS = f"{ML_SCHEMA}.item_factors"
ALS_PREDICTIONS = f"{ML_SCHEMA}.als_predictions"
MODEL_RUNS = f"{ML_SCHEMA}.model_runs"
# One row per published version of the recommendations (`recwh run`, `refresh`, `rollback`).
PUBLISHED_VERSIONS = f"{ML_SCHEMA}.published_versions"
EVALUATION_RUNS = f"{ML_SCHEMA}.evaluation_runs"
TUNING_TRIALS = f"{ML_SCHEMA}.tuning_trials"  # every trial `recwh tune` scored
TUNING_RUNS = f"{ML_SCHEMA}.tuning_runs"  # each tuning's best settings; `recwh run` uses the latest

# `recwh evaluate` builds the same models into a parallel warehouse of eval_* schemas
# (the dbt var `evaluation`), so an evaluation never touches the production tables.
EVALUATION_PREFIX = "eval_"
HOLDOUT_INTERACTIONS = f"{EVALUATION_PREFIX}{ML_SCHEMA}.holdout_interactions"  # dbt source evaluation
# The evaluation's test pairs; tuning inside an evaluation also holds out its validation pairs.
TEST_INTERACTIONS = f"{EVALUATION_PREFIX}{ML_SCHEMA}.test_interactions"
VALIDATION_INTERACTIONS = f"{EVALUATION_PREFIX}{ML_SCHEMA}.validation_interactions"  # `recwh tune`'s


def evaluation_name(table: str) -> str:
    """The evaluation twin of a production table: marts.x -> eval_marts.x."""
    return EVALUATION_PREFIX + table


@dataclass(frozen=True)
class ModelTables:
    """What `recwh train` reads and writes: production by default, eval_* when evaluating."""

    interactions: str = FCT_INTERACTIONS
    user_index: str = USER_INDEX
    item_index: str = ITEM_INDEX
    user_factors: str = USER_FACTORS
    item_factors: str = ITEM_FACTORS
    als_predictions: str = ALS_PREDICTIONS
    model_runs: str = MODEL_RUNS

    def evaluation(self) -> ModelTables:
        return ModelTables(**{field: evaluation_name(name) for field, name in self.__dict__.items()})

    @property
    def schemas(self) -> list[str]:
        return sorted({name.split(".")[0] for name in self.__dict__.values()})


PRODUCTION_TABLES = ModelTables()
# What a publication pins (its Delta versions are recorded) and `recwh rollback` restores:
# the model, then the reader-facing mart last.
PUBLISHED_TABLES = (
    USER_INDEX, ITEM_INDEX, USER_FACTORS, ITEM_FACTORS, ALS_PREDICTIONS, RECOMMENDATIONS,
)
EVALUATION_TABLES = PRODUCTION_TABLES.evaluation()
