"""The context protocol's pieces on tiny frames computed by hand (the dbt models have unit
tests; the whole path runs in test_end_to_end)."""

from __future__ import annotations

import datetime as dt

import pytest

from recwh.evaluate import ranking_metrics
from recwh.evaluate_context import held_out_contexts, split_latest, unit_lists

EVENTS = ("event_record_id string, user_id string, item_id string, occurred_at timestamp, "
          "country string, daypart string, device_class string, has_context boolean")
RECS = "user_id string, item_id string, rank int"
CONTEXT_RECS = "user_id string, country string, daypart string, device_class string, item_id string, rank int"


def at(hour: int) -> dt.datetime:
    return dt.datetime(2025, 3, 1, hour)


def test_a_held_out_pair_takes_the_context_of_its_first_event(spark):
    events = spark.createDataFrame([
        ("e1", "a", "x", at(20), "US", "evening", "tv", True),
        ("e2", "a", "x", at(8), "US", "morning", "mobile", True),  # first: wins
        ("e3", "a", "y", at(9), None, None, "tv", False),  # no known context
        ("e4", "a", "z", at(7), "US", "morning", "tv", True),  # not held out
    ], EVENTS)
    test = spark.createDataFrame([("a", "x"), ("a", "y")], "user_id string, item_id string")
    got = sorted(tuple(r) for r in held_out_contexts(events, test).collect())
    assert got == [("a", "x", "US", "morning", "mobile"), ("a", "y", None, None, None)]


def test_context_lists_replace_the_free_list_only_where_the_mart_has_one(spark):
    contexts = spark.createDataFrame([
        ("a", "h1", "US", "evening", "tv"),
        ("a", "h2", "US", "morning", "mobile"),  # no context list: falls back
        ("b", "h3", None, None, None),  # unknown context: falls back
    ], "user_id string, item_id string, country string, daypart string, device_class string")
    free = spark.createDataFrame([("a", "f1", 1), ("a", "h2", 2), ("a", "h1", 3), ("b", "h3", 1)], RECS)
    by_context = spark.createDataFrame([
        ("a", "US", "evening", "tv", "h1", 1), ("a", "US", "evening", "tv", "f1", 2),
        ("b", "US", "evening", "tv", "h9", 1),  # b has no held-out event there
    ], CONTEXT_RECS)
    relevant, free_lists, aware_lists, served = unit_lists(contexts, free, by_context)
    assert served == 1
    units = {r["user_id"] for r in relevant.collect()}
    assert units == {"a|US|evening|tv", "a|US|morning|mobile", "b|||"}
    aware = {(r["user_id"], r["rank"]): r["item_id"] for r in aware_lists.collect()}
    assert aware[("a|US|evening|tv", 1)] == "h1"
    assert aware[("a|US|morning|mobile", 2)] == "h2"  # the free list
    assert aware[("b|||", 1)] == "h3"
    # per unit: free finds h1 at rank 3, the context list at rank 1; the other units tie
    free_ndcg = ranking_metrics(free_lists, relevant, 3)["ndcg"]
    aware_ndcg = ranking_metrics(aware_lists, relevant, 3)["ndcg"]
    assert free_ndcg == pytest.approx((0.5 + 1 / 1.5849625007 + 1) / 3)
    assert aware_ndcg == pytest.approx((1 + 1 / 1.5849625007 + 1) / 3)


def test_without_any_context_list_both_lists_are_the_same(spark):
    contexts = spark.createDataFrame([("a", "h1", None, None, None)],
                                     "user_id string, item_id string, country string, daypart string, device_class string")
    free = spark.createDataFrame([("a", "h1", 2), ("a", "f1", 1)], RECS)
    empty = spark.createDataFrame([], CONTEXT_RECS)
    relevant, free_lists, aware_lists, served = unit_lists(contexts, free, empty)
    assert served == 0
    assert sorted(free_lists.collect()) == sorted(aware_lists.collect())


def test_the_latest_quarter_of_each_users_interactions_is_held_out(spark):
    # a: 8 by time; b: 4 at the same time (ties broken by item id); c: 2, round(1.5) = 2 train
    rows = ([("a", f"i{n}", at(7 - n)) for n in range(8)] + [("b", f"j{n}", at(5)) for n in (3, 1, 0, 2)]
            + [("c", "k1", at(1)), ("c", "k2", at(2))])
    interactions = spark.createDataFrame(rows, "user_id string, item_id string, first_interacted_at timestamp")
    train, test = split_latest(interactions, 0.75)
    assert sorted(tuple(r) for r in test.collect()) == [("a", "i0"), ("a", "i1"), ("b", "j3")]
    assert train.count() == 11 and train.columns == ["user_id", "item_id"]
