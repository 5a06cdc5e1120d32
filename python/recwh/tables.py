"""Table names and raw schemas, defined once.

Raw tables land every column as a string, exactly as the source gave it: typing,
trimming and validation are the staging models' job, so nothing is lost on the way in.
"""

from __future__ import annotations

RAW_SCHEMA = "raw"
ML_SCHEMA = "ml"
MARTS_SCHEMA = "marts"
WAREHOUSE_SCHEMAS = (RAW_SCHEMA, "staging", "intermediate", MARTS_SCHEMA, ML_SCHEMA)

RAW_EVENTS = f"{RAW_SCHEMA}.events"
RAW_CATALOG = f"{RAW_SCHEMA}.catalog"
RAW_USERS = f"{RAW_SCHEMA}.users"

# Lineage columns recwh adds to every raw row.
SOURCE_COLUMN = "_source"
INGESTED_AT_COLUMN = "_ingested_at"

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

USER_INDEX = f"{ML_SCHEMA}.user_index"
ITEM_INDEX = f"{ML_SCHEMA}.item_index"
USER_FACTORS = f"{ML_SCHEMA}.user_factors"
ITEM_FACTORS = f"{ML_SCHEMA}.item_factors"
ALS_PREDICTIONS = f"{ML_SCHEMA}.als_predictions"
MODEL_RUNS = f"{ML_SCHEMA}.model_runs"
