"""Incremental dbt models on real Spark, Delta and dbt: new events are merged in, and the
result equals a full rebuild.

int_events_validated, int_interactions_scored and fct_interactions are Delta MERGE models.
The test builds them in full on a tiny hand-made warehouse, appends events (existing and new
pairs, new users and items, duplicates, an event whose user arrives later), builds
incrementally twice, and compares with a full refresh of the same raw data.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from pyspark.testing import assertDataFrameEqual

from recwh.tables import (
    EVENTS_VALIDATED,
    FCT_INTERACTIONS,
    INTERACTIONS_SCORED,
    RAW_CATALOG,
    RAW_COLUMNS,
    RAW_EVENTS,
    RAW_USERS,
    SOURCE_COLUMN,
)

SOURCE = "incremental-test"
# The models on the interaction path and what they read (seeds, staging, users and items); no
# data tests: the comparison with a full rebuild below checks the merged rows one by one.
SELECTION = ("--select", "+fct_interactions", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
# Processing times: a rebuild stamps every row anew, so they are left out of the comparison.
PROCESSING_TIME = {EVENTS_VALIDATED: "validated_at", INTERACTIONS_SCORED: "last_validated_at",
                   FCT_INTERACTIONS: "last_validated_at"}


def build(*args: str):
    from recwh.pipeline import dbt

    return dbt("build", *SELECTION, *args)


def last_commit(spark, table: str):
    return spark.sql(f"describe history {table} limit 1").first()


def append(spark, table: str, rows: list[dict]) -> None:
    """Rows land like a load does: this source, stamped now."""
    schema = spark.table(table).schema
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    full = [{**{f.name: None for f in schema}, **row, SOURCE_COLUMN: SOURCE, "_ingested_at": now} for row in rows]
    spark.createDataFrame([tuple(r[f.name] for f in schema) for r in full], schema) \
        .write.format("delta").mode("append").saveAsTable(table)


def event(user: str, item: str, event_type: str = "like", at: str = "2024-05-01 20:00:00", **more) -> dict:
    return {"user_id": user, "item_id": item, "event_type": event_type, "occurred_at": at,
            "device": "tv", "country": "US", **more}


def base_frames(n_users: int = 12, n_items: int = 8) -> dict[str, pd.DataFrame]:
    """A tiny deterministic warehouse: a few plays, ratings and likes per user, and dirty rows."""
    users = [f"u{u}" for u in range(n_users)]
    items = [f"i{i}" for i in range(n_items)]
    rows = []
    for u in range(n_users):
        for k in range(4):
            item, day = items[(u * 3 + k * 5) % n_items], 1 + (u + k) % 28
            kind = ("play", "rating", "like", "play")[k]
            rows.append(event(users[u], item, kind, at=f"2024-03-{day:02d} 2{k}:00:00",
                              value="4.5" if kind == "rating" else None,
                              watch_seconds=str(600 * (u % 5 + 1)) if kind == "play" else None))
    rows += [rows[0], event("nobody", items[0]), event(users[1], items[1], "play", watch_seconds="-3")]
    return {
        RAW_EVENTS: pd.DataFrame(rows, columns=RAW_COLUMNS[RAW_EVENTS]),
        RAW_CATALOG: pd.DataFrame([{"item_id": i, "title": f"Title {i}", "kind": "movie", "genres": "Drama",
                                    "runtime_min": "60"} for i in items], columns=RAW_COLUMNS[RAW_CATALOG]),
        RAW_USERS: pd.DataFrame([{"user_id": u, "signup_at": "2024-01-01", "country": "US", "plan": "basic"}
                                 for u in users], columns=RAW_COLUMNS[RAW_USERS]),
    }


@pytest.fixture(scope="module")
def built(spark):
    """A tiny warehouse with the interaction path built in full."""
    from recwh.warehouse import write_raw

    write_raw(spark, base_frames(), "incremental-base")
    for table in (RAW_EVENTS, RAW_CATALOG, RAW_USERS):  # other modules' sources
        spark.sql(f"delete from {table} where {SOURCE_COLUMN} != 'incremental-base'")
    build("--full-refresh")
    return spark.table(FCT_INTERACTIONS).toPandas()


def test_new_events_merge_into_the_incremental_models_as_a_full_rebuild_would(spark, built):
    from pyspark.sql import functions as F

    from recwh.pipeline import raw_rewritten

    assert not raw_rewritten(spark)
    valid = spark.table(EVENTS_VALIDATED).where("quarantine_reason is null")
    (pair_user, pair_item), other_user = built[["user_id", "item_id"]].iloc[0], built["user_id"].iloc[-1]
    copied = valid.where(F.col("event_type") == "play").first()
    n_pairs_before = len(built)

    # 1. New events: on an existing pair, a new pair of an existing user, a new user on a new
    # item (both appended to their raw tables), an exact copy of an existing event, the same new
    # event twice in one load, and an event of a user not loaded yet.
    append(spark, RAW_USERS, [{"user_id": "u_new", "signup_at": "2024-01-01", "country": "US", "plan": "basic"}])
    append(spark, RAW_CATALOG, [{"item_id": "i_new", "title": "New Title", "kind": "movie", "genres": "Drama",
                                 "runtime_min": "90"}])
    raw_copy = spark.table(RAW_EVENTS).where(F.to_json(F.struct(
        "user_id", "item_id", "event_type", "value", "watch_seconds", "occurred_at", "device", "country",
    )) == copied["raw_record"]).drop(SOURCE_COLUMN, "_ingested_at", "_malformed_record").first().asDict()
    append(spark, RAW_EVENTS, [
        event(pair_user, pair_item),
        event(other_user, "i_new", "play", watch_seconds="2700"),
        event("u_new", "i_new", "play", watch_seconds="5400"),
        event("u_new", pair_item, "rating", value="4"),
        event("u_new", pair_item, "rating", value="4"),
        raw_copy,
        event("u_late", pair_item, "complete"),
    ])
    assert not raw_rewritten(spark)  # appends stamped now: the models can merge them in
    build()

    for table in PROCESSING_TIME:
        commit = last_commit(spark, table)
        assert commit["operation"] == "MERGE", (table, commit["operation"])
    metrics = last_commit(spark, FCT_INTERACTIONS)["operationMetrics"]
    # Only the touched pairs reach the merge: 1 existing pair updated, 3 new pairs inserted.
    assert (metrics["numSourceRows"], metrics["numTargetRowsUpdated"], metrics["numTargetRowsInserted"]) == \
        ("4", "1", "3"), metrics
    reasons = [r["quarantine_reason"] for r in spark.table(EVENTS_VALIDATED).where(F.col("source_name") == SOURCE)
               .select("quarantine_reason").collect()]
    assert sorted(reasons, key=str) == sorted(["duplicate", "duplicate", "unknown user_id", None, None, None, None],
                                              key=str)
    assert spark.table(FCT_INTERACTIONS).count() == n_pairs_before + 3

    # 2. The late user arrives: their quarantined event is validated again and counts.
    append(spark, RAW_USERS, [{"user_id": "u_late", "signup_at": "2024-02-01", "country": "DE", "plan": "basic"}])
    append(spark, RAW_EVENTS, [event("u_late", "i_new", "like")])
    build()
    late = spark.table(FCT_INTERACTIONS).where("user_id = 'u_late'").select("item_id").collect()
    assert sorted(r["item_id"] for r in late) == sorted(["i_new", pair_item])
    assert last_commit(spark, FCT_INTERACTIONS)["operation"] == "MERGE"

    # 3. A full refresh of the same raw data gives the same rows.
    versions = {table: last_commit(spark, table)["version"] for table in PROCESSING_TIME}
    build("--full-refresh")
    for table, stamp in PROCESSING_TIME.items():
        assert last_commit(spark, table)["operation"] == "CREATE OR REPLACE TABLE AS SELECT"
        incremental = spark.sql(f"select * from {table} version as of {versions[table]}").drop(stamp)
        assertDataFrameEqual(incremental, spark.table(table).drop(stamp))


def test_a_rewritten_raw_table_or_a_stale_load_time_means_a_full_refresh(spark, built):
    from recwh.pipeline import raw_rewritten

    assert not raw_rewritten(spark)
    # A row appended with a load time the models already passed: a merge would never see it.
    old = spark.table(RAW_EVENTS).where(f"{SOURCE_COLUMN} = 'incremental-base'").limit(1)
    old.write.format("delta").mode("append").saveAsTable(RAW_EVENTS)
    assert raw_rewritten(spark)
    build("--full-refresh")
    assert not raw_rewritten(spark)
    # A delete (or a re-ingest replacing a source) removes rows the models hold.
    spark.sql(f"delete from {RAW_USERS} where user_id = 'u0'")
    assert raw_rewritten(spark)


def test_a_changed_model_upstream_of_an_incremental_one_means_a_full_refresh(spark, built, tmp_path):
    """Against a saved manifest (dbt state) in which one model's file differed."""
    import json

    from recwh.pipeline import incremental_model_modified
    from recwh.spark import home

    manifest = json.loads((home() / "dbt" / "target" / "manifest.json").read_text())

    def state_with_changed(model: str):
        state = tmp_path / model
        state.mkdir()
        changed = json.loads(json.dumps(manifest))
        changed["nodes"][f"model.recwh.{model}"]["raw_code"] += "\n-- an earlier version"  # state:modified.body
        (state / "manifest.json").write_text(json.dumps(changed))
        return state

    assert incremental_model_modified(state_with_changed("int_users_validated"))  # feeds int_events_validated
    assert not incremental_model_modified(state_with_changed("item_similarity"))  # downstream of none


def test_dbt_unit_tests_of_the_incremental_models_pass(spark, built):
    """Their full-build and incremental-batch unit tests (models/intermediate/_intermediate__models.yml)."""
    from recwh.pipeline import dbt

    results = dbt("test", "--select", "test_type:unit,int_events_validated", "test_type:unit,int_interactions_scored")
    assert len(results.results) == 3 and all(r.status == "pass" for r in results.results)
