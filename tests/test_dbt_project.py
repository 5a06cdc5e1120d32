"""The dbt project against dbt-project-evaluator's rules (tests/dbt_rules.py), on `dbt parse`'s manifest.

No Spark: the `cluster` target parses without connecting. Both shapes of the DAG are checked,
the production one and `recwh evaluate`'s (var `evaluation` true reads the held-out pairs).
Every exception is listed here with its reason, and in the README; a fixed violation must be
removed from this list, so the list stays true.
"""

from __future__ import annotations

import json

import pytest
from dbt_rules import RULES, Project

from recwh.spark import project_dir

PUBLIC_MART = ("a public table name: `recwh` and BI tools read marts.{} (README, issue), and a "
               "prefix would rename the product's interface")
REJOIN = ("kept as its own table: {}")
EXCEPTIONS = {
    ("missing_primary_key_tests", "stg_raw__events"): "staging keeps every raw row, duplicates included, so "
        "int_events_validated can quarantine them with a reason; event_record_id is unique there",
    ("missing_primary_key_tests", "stg_raw__items"): "as stg_raw__events: duplicate ids are quarantined by "
        "int_items_validated, whose item_record_id is the key",
    ("missing_primary_key_tests", "stg_raw__users"): "as stg_raw__events: duplicate ids are quarantined by "
        "int_users_validated, whose user_record_id is the key",
    ("model_fanout", "int_items_validated"): "the validated catalog (titles, runtimes, genres) that every "
        "user-facing mart labels its rows with; routing them through dim_items would make marts depend on marts",
    **{("model_naming_conventions", name): PUBLIC_MART.format(name) for name in (
        "item_popularity", "item_similarity", "quarantined_rows", "recommendations",
        "recommendations_by_context", "user_preferences")},
    ("rejoining_of_upstream_concepts", "int_content_candidates_scored"): REJOIN.format(
        "a blend component; `recwh tune` rebuilds only the blend (int_hybrid_candidates_scored) per trial"),
    ("rejoining_of_upstream_concepts", "int_co_occurrence_candidates_scored"): REJOIN.format(
        "a blend component, as int_content_candidates_scored"),
    ("rejoining_of_upstream_concepts", "int_item_co_occurrences_scored"): REJOIN.format(
        "item-item similarity at item grain, cut to the top N per item before it meets users, with its own tests"),
    ("rejoining_of_upstream_concepts", "int_segment_context_affinities_scored"): REJOIN.format(
        "segment grain (country x daypart x device class), the prior each user's affinities are smoothed toward"),
    ("sources_without_freshness", "ml.als_predictions"): "written by `recwh train` in the pipeline that "
        "reads it, with no load timestamp; ml.model_runs.trained_at says when",
    ("sources_without_freshness", "evaluation.holdout_interactions"): "exists only during `recwh evaluate`, "
        "which writes it just before the build that reads it",
}


@pytest.fixture(scope="module", params=[False, True], ids=["production", "evaluation"])
def project(request, tmp_path_factory):
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("dbt-parse")
    root = project_dir()
    result = dbtRunner().invoke([
        "parse", "--project-dir", str(root), "--profiles-dir", str(root / "profiles"), "--target", "cluster",
        "--target-path", str(target), "--log-path", str(target), "--vars", json.dumps({"evaluation": request.param}),
    ])
    assert result.success, result.exception
    return Project(json.loads((target / "manifest.json").read_text()))


@pytest.mark.parametrize("rule", RULES)
def test_project_follows_the_rule_or_lists_the_exception(project, rule):
    found = getattr(project, rule)()
    expected = {key for key in EXCEPTIONS if key[0] == rule}
    assert found - expected == set(), "fix these, or list them with a reason in EXCEPTIONS and the README"
    assert expected - found == set(), "these exceptions are fixed: remove them from EXCEPTIONS and the README"


def test_the_rules_see_the_project(project):
    """Guards against rules that pass because they look at nothing."""
    assert len(project.models) >= 30 and len(project.sources) >= 5
    events = "model.recwh.int_events_validated"
    assert project.model_type(events) == "intermediate"
    assert {project.name(p) for p in project.parents[events]} >= {"stg_raw__events", "int_items_validated"}
    scored = "model.recwh.int_interactions_scored"
    assert "stg_evaluation__holdout_interactions" in {project.name(p) for p in project.parents[scored]}
    assert {e["name"] for e in project.exposures} == {"recwh_als_training", "recwh_recommend"}


def test_a_rerun_finds_the_models_that_read_a_changed_var():
    """`recwh run` rebuilds these (and what they feed) when only vars changed; dbt's state does not see vars."""
    from recwh.pipeline import models_reading

    assert models_reading({"blend_weight_co_occurrence", "blend_weight_content"}) == ["int_hybrid_candidates_scored"]
    assert sorted(models_reading({"co_occurrence_top_n", "unused_var"})) == ["int_item_co_occurrences_scored"]
    # Read by a data test's arguments or a singular test too: no selection is safe, everything is rebuilt.
    assert models_reading({"recommendations_k"}) is None
    assert models_reading({"min_rating"}) is None


def test_dbt_exclude_resource_types_adds_to_the_unit_test_exclusion(monkeypatch):
    from recwh.pipeline import excluded_resource_types

    monkeypatch.delenv("DBT_EXCLUDE_RESOURCE_TYPES", raising=False)
    assert excluded_resource_types() == ("--exclude-resource-type", "unit_test", "exposure")
    monkeypatch.setenv("DBT_EXCLUDE_RESOURCE_TYPES", "test seed")
    assert excluded_resource_types() == ("--exclude-resource-type", "unit_test", "exposure", "test", "seed")
