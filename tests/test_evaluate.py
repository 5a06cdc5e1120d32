"""The evaluation metrics and baselines on tiny examples computed by hand."""

from __future__ import annotations

import math

import pytest

from recwh.evaluate import (
    catalog_coverage,
    most_popular,
    ranking_metrics,
    ranking_metrics_at,
    rating_errors,
    top_k_by,
)

RECS = "user_id string, item_id string, rank int"
PAIRS = "user_id string, item_id string"


def lists(spark, **per_user):
    rows = [(u, item, r) for u, items in per_user.items() for r, item in enumerate(items, start=1)]
    return spark.createDataFrame(rows, RECS)


def pairs(spark, **per_user):
    return spark.createDataFrame([(u, i) for u, items in per_user.items() for i in items], PAIRS)


def test_ranking_metrics_match_hand_computed_values(spark):
    recommended = lists(spark, a=["i1", "i2", "i3", "i4"], b=["j1", "j2"], d=["z1"])
    # a: one hit (rank 2) in the top 3, i4 hits at rank 4 only; b: hit at rank 1;
    # c: relevant items but no list (scores 0, still counted); d: not a test user (ignored)
    relevant = pairs(spark, a=["i2", "i4", "i9"], b=["j1"], c=["x"])
    got = ranking_metrics(recommended, relevant, k=3)

    dcg_a = 1 / math.log2(3)
    idcg_a = 1 + 1 / math.log2(3) + 1 / math.log2(4)  # min(|relevant| = 3, k = 3) ideal hits
    assert got["n_users"] == 3
    assert got["precision"] == pytest.approx((1 / 3 + 1 / 3 + 0) / 3)  # hits / k
    assert got["recall"] == pytest.approx((1 / 3 + 1 + 0) / 3)  # hits / |relevant|
    assert got["ndcg"] == pytest.approx((dcg_a / idcg_a + 1 + 0) / 3)
    assert got["map"] == pytest.approx((0.5 / 3 + 1 + 0) / 3)  # precision at each hit / |relevant|


def test_map_and_ndcg_with_several_hits(spark):
    recommended = lists(spark, e=["h1", "x", "h2", "h3"])
    relevant = pairs(spark, e=["h1", "h2", "h3", "h4"])
    got = ranking_metrics(recommended, relevant, k=3)
    assert got["precision"] == pytest.approx(2 / 3)
    assert got["recall"] == pytest.approx(2 / 4)
    # ideal DCG over min(4, 3) = 3 ranks
    assert got["ndcg"] == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3) + 1 / math.log2(4)))
    assert got["map"] == pytest.approx((1 / 1 + 2 / 3) / 4)


def test_metrics_at_several_k_in_one_pass(spark):
    recommended = lists(spark, a=["i1", "i2", "i3", "i4"], b=["j1", "j2"])
    relevant = pairs(spark, a=["i2", "i4", "i9"], b=["j1"], c=["x"])
    rows = {r["k"]: r for r in ranking_metrics_at(recommended, relevant, [1, 3]).collect()}
    assert rows[1]["precision"] == pytest.approx(1 / 3)  # only b hits at rank 1
    assert rows[1]["ndcg"] == pytest.approx(1 / 3)
    assert rows[1]["map"] == pytest.approx(1 / 3)
    assert rows[3]["recall"] == pytest.approx((1 / 3 + 1 + 0) / 3)


def test_catalog_coverage_counts_distinct_items_in_the_top_k(spark):
    recommended = lists(spark, a=["i1", "i2", "i9"], b=["i2", "i3"])
    assert catalog_coverage(recommended, k=2, catalog_size=10) == pytest.approx(3 / 10)


def test_rating_errors(spark):
    predictions = spark.createDataFrame([(4.0, 3.0), (3.0, 5.0), (2.0, 2.0)], "rating double, prediction double")
    got = rating_errors(predictions)
    assert got["rmse"] == pytest.approx(math.sqrt(5 / 3))
    assert got["mae"] == pytest.approx(1.0)


def test_most_popular_skips_each_users_training_items(spark):
    popularity = spark.createDataFrame(
        [("p1", 1), ("p2", 2), ("p3", 3), ("p4", 4)], "item_id string, popularity_rank int"
    )
    train = pairs(spark, a=["p1", "p3"], b=["p4"])
    users = spark.createDataFrame([("a",), ("b",)], "user_id string")
    got = most_popular(popularity, users, train, k=2)
    assert sorted(tuple(r) for r in got.collect()) == [("a", "p2", 1), ("a", "p4", 2), ("b", "p1", 1), ("b", "p2", 2)]


def test_top_k_by_breaks_ties_by_item(spark):
    candidates = spark.createDataFrame(
        [("a", "x", 0.5), ("a", "w", 0.5), ("a", "y", 0.9), ("a", "z", 0.1)], "user_id string, item_id string, s double"
    )
    got = top_k_by(candidates, "s", k=3).orderBy("rank").collect()
    assert [(r["item_id"], r["rank"]) for r in got] == [("y", 1), ("w", 2), ("x", 3)]
