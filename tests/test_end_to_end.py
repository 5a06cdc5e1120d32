"""The whole product through its CLI, on real Spark, Delta and dbt, with generated data.

Tests in this module run in order on one warehouse: first the errors a fresh warehouse
gives, then `recwh demo` + `recwh run`, then what users read from the result.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import NO_DATA_TESTS, run
from typer.testing import CliRunner

from recwh.cli.main import app
from recwh.spark import metastore_in_use
from recwh.warehouse import event_accounting
from recwh.tables import (
    ALS_PREDICTIONS,
    FCT_INTERACTIONS,
    MARTS_SCHEMA,
    MODEL_RUNS,
    PUBLISHED_VERSIONS,
    RAW_EVENTS,
    RECOMMENDATIONS,
)

K = 10  # dbt var recommendations_k
runner = CliRunner()


def recwh(*args: str):
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_fresh_warehouse_gives_clear_errors(spark, tmp_path):
    result = recwh("train")
    assert result.exit_code == 1
    assert "marts.fct_interactions does not exist yet" in result.output
    assert "Hint:" in result.output

    result = recwh("recommend", "u1")
    assert result.exit_code == 1
    assert "recwh run" in result.output

    result = recwh("evaluate")
    assert result.exit_code == 1
    assert "raw.events does not exist yet" in result.output

    result = recwh("ingest", "movielens", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "nowhere" in result.output


@pytest.fixture(scope="module")
def pipeline(spark):
    result = recwh("demo", "--users", "120", "--items", "80", "--seed", "5", "--events-per-user", "12")
    assert result.exit_code == 0, result.output
    result = recwh("run", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    return result


def test_run_reports_the_trained_model(spark, pipeline):
    assert "ndcg_at_10" in pipeline.output
    runs = spark.table(MODEL_RUNS).collect()
    assert len(runs) == 1
    assert runs[0]["n_users"] > 50 and 0 <= runs[0]["ndcg_at_10"] <= 1


def test_every_user_gets_k_unseen_recommendations(spark, pipeline):
    recs = spark.table(RECOMMENDATIONS)
    users = spark.table("marts.dim_users")
    per_user = recs.groupBy("user_id").count()
    assert per_user.where(f"count != {K}").isEmpty()
    assert users.join(per_user, "user_id", "left_anti").isEmpty(), "a user has no list"
    seen = spark.table(FCT_INTERACTIONS).select("user_id", "item_id")
    assert recs.join(seen, ["user_id", "item_id"]).isEmpty()
    ranks = {r["rank"] for r in recs.select("rank").distinct().collect()}
    assert ranks == set(range(1, K + 1))


def test_dbt_unit_tests_pass_on_the_built_warehouse(spark, pipeline):
    """`recwh run` leaves unit tests out (they test SQL logic, not data); here they all run."""
    from recwh.pipeline import dbt

    results = dbt("test", "--select", "test_type:unit").results
    assert len(results) >= 8 and {str(r.node.resource_type) for r in results} == {"unit_test"}
    assert {str(r.status) for r in results} == {"pass"}


def test_cold_start_users_get_a_fallback_list(spark, pipeline):
    cold = spark.table("marts.dim_users").where("is_cold_start")
    assert not cold.isEmpty(), "the demo data should include users with no events"
    recs = spark.table(RECOMMENDATIONS).join(cold.select("user_id"), "user_id")
    assert recs.count() == cold.count() * K
    assert {r["strategy"] for r in recs.select("strategy").distinct().collect()} == {"cold_start"}


def test_recommendations_blend_collaborative_and_content(spark, pipeline):
    recs = spark.table(RECOMMENDATIONS).where("strategy = 'hybrid'")
    stats = recs.selectExpr(
        "min(score) as lo", "max(score) as hi",
        "max(collaborative_score) as collab", "max(content_score) as content",
        "count(distinct reason) as reasons",
    ).first()
    assert 0 <= stats["lo"] <= stats["hi"] <= 1
    assert stats["collab"] > 0 and stats["content"] > 0
    assert stats["reasons"] >= 2
    run_ids = {r["run_id"] for r in recs.select("run_id").distinct().collect()}
    assert run_ids == {spark.table(MODEL_RUNS).first()["run_id"]}


def test_ids_stay_exactly_as_the_source_gives_them(spark, pipeline):
    raw_users = {r["user_id"] for r in spark.table(RAW_EVENTS).select("user_id").collect()}
    mart_users = {r["user_id"] for r in spark.table(RECOMMENDATIONS).select("user_id").distinct().collect()}
    assert mart_users - {u for u in raw_users if u} <= {
        r["user_id"] for r in spark.table("marts.dim_users").where("is_cold_start").collect()
    }


def test_recommendations_are_readable_without_spark(spark, pipeline):
    from deltalake import DeltaTable

    path = spark.sql(f"describe detail {RECOMMENDATIONS}").first()["location"].removeprefix("file:")
    read = DeltaTable(path).to_pandas().sort_values(["user_id", "rank"]).reset_index(drop=True)
    expected = spark.table(RECOMMENDATIONS).toPandas().sort_values(["user_id", "rank"]).reset_index(drop=True)
    assert list(read.columns) == list(expected.columns)
    assert read[["user_id", "item_id", "rank", "reason"]].equals(expected[["user_id", "item_id", "rank", "reason"]])
    assert (read["score"] - expected["score"]).abs().max() < 1e-9


def test_every_mart_is_readable_by_deltalake_and_polars(spark, pipeline):
    import polars as pl
    from deltalake import DeltaTable

    marts = [f"{MARTS_SCHEMA}.{t.name}" for t in spark.catalog.listTables(MARTS_SCHEMA) if t.tableType != "VIEW"]
    assert RECOMMENDATIONS in marts and len(marts) >= 8
    for table in marts:
        path = spark.sql(f"describe detail {table}").first()["location"].removeprefix("file:")
        rows = spark.table(table).count()
        assert len(DeltaTable(path).to_pandas()) == rows, table
        assert pl.read_delta(path).height == rows, table

    path = spark.sql(f"describe detail {RECOMMENDATIONS}").first()["location"].removeprefix("file:")
    key = ["user_id", "rank"]
    read = pl.read_delta(path).sort(key).to_pandas()
    expected = spark.table(RECOMMENDATIONS).toPandas().sort_values(key).reset_index(drop=True)
    assert list(read.columns) == list(expected.columns)
    assert read[["user_id", "item_id", "rank", "reason", "strategy"]].equals(
        expected[["user_id", "item_id", "rank", "reason", "strategy"]])
    assert (read["score"] - expected["score"]).abs().max() < 1e-9


def test_recommend_prints_a_users_list(spark, pipeline, warehouse_home):
    user = spark.table(RECOMMENDATIONS).where("strategy = 'hybrid'").first()["user_id"]
    result = recwh("recommend", user)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"Recommendations for user {user}")
    assert len(lines) == 2 + K

    # It reads the Delta files without Spark: other processes get the same list while this
    # one's Spark holds the home's metastore, which a second Spark could not open. Six of them:
    # a read on Arrow's scan threads could abort the process as it exited (recwh.warehouse).
    assert metastore_in_use(warehouse_home)
    for _ in range(6):
        other = run("recwh", "recommend", user, home=warehouse_home, timeout=120)
        assert other.returncode == 0, other.stderr
        assert other.stdout.strip().splitlines() == lines

    result = recwh("recommend", "no-such-user")
    assert result.exit_code == 1
    assert "no recommendations for user 'no-such-user'" in result.output
    first = spark.table(RECOMMENDATIONS).agg({"user_id": "min"}).first()[0]
    assert f"e.g. {first}, " in result.output


def test_recommend_in_a_context_reads_the_context_mart_or_falls_back(spark, pipeline):
    by_context = spark.table("marts.recommendations_by_context")
    # every context list is K of the user's unseen hybrid candidates, re-ranked
    seen = spark.table(FCT_INTERACTIONS).select("user_id", "item_id")
    assert by_context.join(seen, ["user_id", "item_id"]).isEmpty()
    pool = spark.table("intermediate.int_hybrid_candidates_scored").select("user_id", "item_id")
    assert by_context.join(pool, ["user_id", "item_id"], "left_anti").isEmpty()
    sizes = by_context.groupBy("user_id", "country", "daypart", "device_class").count()
    assert {r["count"] for r in sizes.collect()} == {K}
    assert by_context.where("hybrid_rank > 10").count() > 0, "the context never changed a list"

    row = by_context.where("daypart = 'evening' and device_class = 'tv' and rank = 1").first()
    result = recwh("recommend", row["user_id"], "--device", "roku", "--at", "21:00", "--country", row["country"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == f"Recommendations for user {row['user_id']} (context):"
    assert lines[1] == f"context: evening on tv in {row['country']}"
    assert len(lines) == 3 + K and "Evening TV pick" in lines[3]

    cold = spark.table(RECOMMENDATIONS).where("strategy = 'cold_start'").first()["user_id"]
    result = recwh("recommend", cold, "--device", "tv", "--at", "21:00")
    assert result.exit_code == 0, result.output
    assert "too little data" in result.output and "showing the context-free list" in result.output
    assert len(result.output.strip().splitlines()) == 4 + K

    # Events with no known device or country (MovieLens) leave the context mart empty.
    version = spark.sql("describe history marts.recommendations_by_context limit 1").first()["version"]
    spark.sql("delete from marts.recommendations_by_context")
    try:
        result = recwh("recommend", row["user_id"], "--device", "tv", "--at", "21:00")
        assert result.exit_code == 0, result.output
        assert "no event carries a known device and country" in result.output
        assert len(result.output.strip().splitlines()) == 4 + K
    finally:
        spark.sql(f"restore table marts.recommendations_by_context to version as of {version}")

    result = recwh("recommend", cold, "--device", "tv", "--at", "25:00")
    assert result.exit_code == 1 and "HH:MM" in result.output
    result = recwh("recommend", cold, "--device", "toaster", "--at", "21:00")
    assert result.exit_code == 1 and "unknown device 'toaster'" in result.output
    result = recwh("recommend", cold, "--at", "21:00")
    assert result.exit_code == 1 and "--device and --at" in result.output


def test_tables_lists_every_delta_table(spark, pipeline):
    result = recwh("tables", "--json")
    assert result.exit_code == 0, result.output
    tables = {t["name"]: t for t in json.loads(result.output)}
    for name in (RAW_EVENTS, FCT_INTERACTIONS, RECOMMENDATIONS, ALS_PREDICTIONS, MODEL_RUNS,
                 "marts.item_similarity", "marts.user_preferences", "marts.item_popularity",
                 "marts.quarantined_rows"):
        assert name in tables, name
        assert tables[name]["rows"] > 0, name
        assert (Path(tables[name]["path"]) / "_delta_log").is_dir()
    assert tables[RECOMMENDATIONS]["rows"] == spark.table(RECOMMENDATIONS).count()


def test_raw_sources_are_fresh_after_ingest(spark, pipeline, warehouse_home):
    from recwh.pipeline import dbt

    dbt("source", "freshness")  # raises on an error-level staleness
    results = json.loads((warehouse_home / "dbt" / "target" / "sources.json").read_text())["results"]
    assert sorted((r["unique_id"].split(".")[-1], r["status"]) for r in results) == [
        ("catalog", "pass"), ("events", "pass"), ("users", "pass"),
    ]


def test_dirty_rows_are_quarantined_with_a_reason(spark, pipeline):
    quarantined = spark.table("marts.quarantined_rows")
    reasons = {r["reason"] for r in quarantined.select("reason").distinct().collect()}
    assert {"duplicate", "unknown item_id", "bad timestamp"} <= reasons
    assert quarantined.where("reason is null or raw_record is null").isEmpty()
    accounting = event_accounting(spark)
    assert accounting.balanced and accounting.received == spark.table(RAW_EVENTS).count()
    assert accounting.summary() in pipeline.output


def delta_versions(spark, *tables: str) -> dict[str, int]:
    return {t: spark.sql(f"describe history {t} limit 1").first()["version"] for t in tables}


def test_a_run_killed_after_publishing_is_not_published_again(spark, pipeline):
    """Killed after its publication, before it marked itself finished, a run leaves the marker
    its dbt stage wrote before training; the rerun resumes and finds nothing left to do."""
    from datetime import timezone

    from recwh.pipeline import UNFINISHED_FILE, state_dir

    published = spark.table(PUBLISHED_VERSIONS).orderBy("published_at").collect()
    stage_done_at = published[-1]["published_at"].replace(tzinfo=timezone.utc).timestamp() - 1
    marker = state_dir() / UNFINISHED_FILE
    marker.touch()
    os.utime(marker, (stage_done_at, stage_done_at))
    tables = ("marts.dim_users", RECOMMENDATIONS)
    before = delta_versions(spark, *tables)

    result = recwh("run", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    assert "resumed from there, 0 dbt nodes rebuilt" in result.output and "training skipped" in result.output
    assert delta_versions(spark, *tables) == before
    assert spark.table(PUBLISHED_VERSIONS).orderBy("published_at").collect() == published
    assert not marker.exists()


@pytest.fixture
def without_data_tests(monkeypatch):
    """For the tests of what a rerun rebuilds: the pipeline fixture's build ran every data test."""
    for name, value in NO_DATA_TESTS.items():
        monkeypatch.setenv(name, value)


def test_rerun_rebuilds_only_what_new_data_reaches(spark, pipeline, without_data_tests):
    tables = ("marts.item_similarity", "marts.dim_users", RECOMMENDATIONS)
    before = delta_versions(spark, *tables)
    result = recwh("run", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    assert "nothing new since the last run" in result.output and "training skipped" in result.output
    assert delta_versions(spark, *tables) == before

    # A newer load of raw.users reaches what users feed (dim_users, the mart), not the catalog's similarity.
    user_id = spark.table("raw.users").agg({"user_id": "min"}).first()[0]
    spark.sql(f"update raw.users set _ingested_at = current_timestamp() where user_id = '{user_id}'")
    result = recwh("run", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    assert "rebuilt only what changed" in result.output
    after = delta_versions(spark, *tables)
    assert after["marts.item_similarity"] == before["marts.item_similarity"]
    assert after["marts.dim_users"] > before["marts.dim_users"] and after[RECOMMENDATIONS] > before[RECOMMENDATIONS]


def test_unchanged_input_skips_training_and_forced_retraining_replaces_its_run(spark, pipeline):
    before = spark.table(MODEL_RUNS).first()
    result = recwh("train", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    assert "training skipped" in result.output
    assert spark.table(MODEL_RUNS).collect() == [before]

    result = recwh("train", "--max-iter", "5", "--rank", "8", "--force")
    assert result.exit_code == 0, result.output
    runs = spark.table(MODEL_RUNS).collect()
    assert [r["run_id"] for r in runs] == [before["run_id"]]
    assert runs[0]["trained_at"] > before["trained_at"]


def test_explicit_feedback_trains_on_ratings(spark, pipeline):
    result = recwh("train", "--feedback", "explicit", "--max-iter", "5", "--rank", "8")
    assert result.exit_code == 0, result.output
    assert "rmse" in result.output
    assert spark.table(MODEL_RUNS).count() == 2


def production_snapshot(spark) -> dict[str, object]:
    """Every production table's Delta version and rows, and every view's definition."""
    from recwh.tables import EVALUATION_RUNS, TUNING_RUNS, TUNING_TRIALS, WAREHOUSE_SCHEMAS

    snapshot = {}
    for schema in (*WAREHOUSE_SCHEMAS, "reference"):
        for table in spark.catalog.listTables(schema):
            name = f"{schema}.{table.name}"
            if name in (EVALUATION_RUNS, TUNING_RUNS, TUNING_TRIALS):  # what evaluating and tuning log
                continue
            if table.tableType == "VIEW":
                snapshot[name] = spark.sql(f"show create table {name}").first()[0]
            else:
                version = spark.sql(f"describe history {name} limit 1").first()["version"]
                snapshot[name] = (version, spark.table(name).count())
    return snapshot


# A two-value search per stage keeps this fast; the real search space is recwh.tune's default.
TINY_SEARCH = {"als_search": (("rank", (4, 8)),), "blend_search": (("blend_weight_co_occurrence", (0.3, 0.5)),)}


def test_tune_scores_trials_on_validation_and_run_uses_the_best(spark, pipeline, without_data_tests):
    from dataclasses import replace

    from recwh.params import AlsParams, Settings
    from recwh.pipeline import settings
    from recwh.tables import ALS_PREDICTIONS, TUNING_RUNS, TUNING_TRIALS
    from recwh.tune import PRODUCTION, TuneParams, latest_settings, tune

    before = production_snapshot(spark)
    # Starting from a weight the project does not have, so the tuned one always differs from it.
    start = Settings(AlsParams(rank=8, max_iter=5), {"blend_weight_co_occurrence": 0.3})
    result = tune(spark, TuneParams(base=start, **TINY_SEARCH))
    assert production_snapshot(spark) == before  # trials build in eval_* only

    trials = spark.table(TUNING_TRIALS).where(f"tuning_run_id = '{result.tuning_run_id}'").orderBy("trial").collect()
    assert [(t["stage"], json.loads(t["params_json"]).get("rank")) for t in trials] == [
        ("als", 8), ("als", 4), ("blend", None), ("blend", None)]
    best_blend = max((t for t in trials if t["stage"] == "blend"), key=lambda t: t["ndcg_at_10"])
    assert result.best_ndcg == best_blend["ndcg_at_10"]
    assert result.settings.dbt_vars == json.loads(best_blend["params_json"])
    saved = spark.table(TUNING_RUNS).where(f"tuning_run_id = '{result.tuning_run_id}'").first()
    assert saved["purpose"] == PRODUCTION and saved["n_trials"] == 4 and saved["n_validation"] > 0
    assert latest_settings(spark) == result.settings

    try:
        # `recwh run` with no options takes the tuned ALS params and blend weights, rebuilding
        # only the models that read the weights (and what they feed) ...
        similarity = delta_versions(spark, "marts.item_similarity", FCT_INTERACTIONS)
        ran = recwh("run")
        assert ran.exit_code == 0, ran.output
        assert "what reads the changed vars" in ran.output
        assert delta_versions(spark, "marts.item_similarity", FCT_INTERACTIONS) == similarity
        run_id = spark.table(ALS_PREDICTIONS).first()["run_id"]
        params = json.loads(spark.table(MODEL_RUNS).where(f"run_id = '{run_id}'").first()["params_json"])
        assert (params["rank"], params["max_iter"]) == (result.settings.als.rank, 5)
        weights = {"collaborative": 0.7, "content": 0.2, "popularity": 0.1,
                   "co_occurrence": result.settings.dbt_vars["blend_weight_co_occurrence"]}
        blend = " + ".join(f"{w} * {name}_score" for name, w in weights.items())
        off = spark.table(RECOMMENDATIONS).where(f"abs(score - ({blend}) / {sum(weights.values())}) > 1e-9")
        assert off.isEmpty()
        # ... and an option given on the command line wins over the tuned value, the rest stays tuned.
        chosen = settings(spark, {"rank": 3})
        assert chosen.als == replace(result.settings.als, rank=3) and chosen.dbt_vars == result.settings.dbt_vars
    finally:
        spark.sql(f"drop table {TUNING_RUNS}")  # later tests run on the untuned defaults


def test_evaluate_tunes_on_the_training_part_then_compares_models_on_held_out_data(
        spark, pipeline, warehouse_home, monkeypatch):
    from functools import partial

    from recwh.evaluate import MODELS
    from recwh.tables import EVALUATION_RUNS, HOLDOUT_INTERACTIONS, TEST_INTERACTIONS, TUNING_RUNS
    from recwh.tune import EVALUATION, TuneParams, latest_settings

    # One evaluation covers both: tuning is its slow first half, the comparison its second.
    # An empty search (one trial per stage) is enough here; the tune test covers the search.
    monkeypatch.setattr("recwh.tune.TuneParams", partial(TuneParams, als_search=(), blend_search=()))
    before = production_snapshot(spark)
    result = recwh("evaluate", "--tune", "--max-iter", "5", "--rank", "8", "--report")
    assert result.exit_code == 0, result.output
    assert production_snapshot(spark) == before
    report = Path(result.output.split("report: ")[1].strip())
    assert report.parent == warehouse_home / "reports"
    assert report.read_text().count("<img src='data:image/png;base64,") == 3

    tuned = spark.table(TUNING_RUNS).orderBy("tuned_at").collect()[-1]
    assert tuned["purpose"] == EVALUATION
    assert latest_settings(spark) is None  # an evaluation's tuning never becomes the production settings

    runs = spark.table(EVALUATION_RUNS).collect()
    assert sorted(r["model_name"] for r in runs) == sorted(MODELS)
    assert len({r["evaluation_run_id"] for r in runs}) == 1
    for row in runs:
        assert row["model_name"] in result.output
        assert row["n_users"] > 20
        for metric in ("precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "coverage"):
            assert 0 <= row[metric] <= 1, (row["model_name"], metric)
        assert (row["rmse"] is not None) == (row["model_name"] == "explicit_als")
    by_model = {r["model_name"]: r for r in runs}
    assert by_model["explicit_als"]["rmse"] > 0 and by_model["explicit_als"]["mae"] > 0
    assert by_model["hybrid"]["ndcg_at_10"] > 0 and by_model["als"]["ndcg_at_10"] > 0
    assert json.loads(by_model["hybrid"]["params_json"])["als"]["rank"] == json.loads(tuned["als_params_json"])["rank"]

    # The models never saw a held-out pair, and every test user kept training data.
    train = spark.table("eval_marts.fct_interactions").select("user_id", "item_id")
    test = spark.table(HOLDOUT_INTERACTIONS).select("user_id", "item_id")
    assert train.join(test, ["user_id", "item_id"]).isEmpty()
    assert test.select("user_id").distinct().join(train, "user_id", "left_anti").isEmpty()
    assert 0.2 < test.count() / (train.count() + test.count()) < 0.3
    recommended = spark.table("eval_marts.recommendations").select("user_id", "item_id")
    assert recommended.join(train, ["user_id", "item_id"]).isEmpty()
    # The final build holds out exactly the test pairs again (tuning held out its validation pairs too).
    split = spark.table(TEST_INTERACTIONS).select("user_id", "item_id")
    assert test.exceptAll(split).isEmpty() and split.exceptAll(test).isEmpty()


def write_movielens_100k(folder: Path) -> None:
    """A tiny folder in MovieLens-100k's layout, made up here."""
    folder.mkdir()
    (folder / "u.data").write_text("1\t10\t5\t881250949\n1\t20\t3\t881250950\n2\t10\t4\t881250951\n")
    genres = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
              "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
              "Romance", "Sci-Fi", "Thriller", "War", "Western"]
    (folder / "u.genre").write_text("".join(f"{g}|{i}\n" for i, g in enumerate(genres)))
    flags = {"10": [1] + [0] * 18, "20": [0, 1] + [0] * 17}
    (folder / "u.item").write_text("".join(
        f"{item}|Film {item} (1995)|01-Jan-1995||http://x|" + "|".join(map(str, f)) + "\n"
        for item, f in flags.items()
    ))
    (folder / "u.user").write_text("1|24|M|technician|85711\n2|53|F|other|94043\n")


def test_movielens_ingest_keeps_ids_and_bad_input_loses_nothing(spark, tmp_path):
    folder = tmp_path / "ml-tiny"
    write_movielens_100k(folder)
    result = recwh("ingest", "movielens", str(folder))
    assert result.exit_code == 0, result.output
    events = spark.table(RAW_EVENTS).where("_source = 'movielens:ml-tiny'")
    assert sorted((r["user_id"], r["item_id"], r["value"]) for r in events.collect()) == [
        ("1", "10", "5"), ("1", "20", "3"), ("2", "10", "4"),
    ]

    before = spark.table(RAW_EVENTS).count()
    (folder / "u.data").write_text("1\t10\tfive\t881250949\n")
    result = recwh("ingest", "movielens", str(folder))
    assert result.exit_code == 1
    assert "u.data" in result.output
    assert spark.table(RAW_EVENTS).count() == before
