"""ALS building blocks on small DataFrames made here."""

from __future__ import annotations

import pytest
from pyspark.testing import assertDataFrameEqual

from recwh.errors import RecwhError
from recwh.train import (
    AlsParams,
    build_als,
    index_ids,
    make_run_id,
    popularity_baseline,
    split_per_user,
    top_unseen,
)


def test_index_ids_are_dense_and_keep_string_ids(spark):
    interactions = spark.createDataFrame(
        [("10", "b"), ("2", "a"), ("10", "a"), ("x", "c")], "user_id string, item_id string"
    )
    expected = spark.createDataFrame([("10", 0), ("2", 1), ("x", 2)], "user_id string, user_idx int")
    assertDataFrameEqual(index_ids(interactions, "user_id", "user_idx"), expected)


def test_split_per_user_holds_out_a_share_of_each_user(spark):
    rows = [(u, i, 1.0, None) for u in range(3) for i in range(10)] + [(9, 0, 1.0, None)]
    indexed = spark.createDataFrame(rows, "user_idx int, item_idx int, confidence double, rating double")
    train, test = split_per_user(indexed, 0.8, seed=1)
    per_user = {r["user_idx"]: r["count"] for r in test.groupBy("user_idx").count().collect()}
    assert per_user == {0: 2, 1: 2, 2: 2}  # the one-interaction user stays in train
    assert train.count() + test.count() == indexed.count()
    assert train.join(test, ["user_idx", "item_idx"]).isEmpty()
    again_train, _ = split_per_user(indexed, 0.8, seed=1)
    assertDataFrameEqual(train, again_train)


def test_split_per_user_rounds_half_to_even_on_any_id_columns(spark):
    # round(0.75 n) to train: n=1 -> 1, 2 -> 2 (1.5), 3 -> 2, 4 -> 3, 6 -> 4 (4.5, half to even)
    sizes = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 6}
    rows = [(u, f"i{i}") for u, n in sizes.items() for i in range(n)]
    df = spark.createDataFrame(rows, "user_id string, item_id string")
    train, test = split_per_user(df, 0.75, seed=42, user_col="user_id", item_col="item_id")
    per_user = {r["user_id"]: r["count"] for r in train.groupBy("user_id").count().collect()}
    assert per_user == {"a": 1, "b": 2, "c": 2, "d": 3, "e": 4}
    assert train.unionByName(test).distinct().count() == len(rows)
    other_seed, _ = split_per_user(df, 0.75, seed=7, user_col="user_id", item_col="item_id")
    assert {r["user_id"]: r["count"] for r in other_seed.groupBy("user_id").count().collect()} == per_user


def test_run_id_depends_on_params_and_input():
    base = make_run_id(AlsParams(), "100:5")
    assert base == make_run_id(AlsParams(), "100:5")
    assert base != make_run_id(AlsParams(rank=8), "100:5")
    assert base != make_run_id(AlsParams(), "101:5")


@pytest.mark.parametrize("bad", [{"feedback": "thumbs"}, {"rank": 0}, {"holdout_fraction": 1.0}])
def test_bad_params_are_refused(bad):
    with pytest.raises(RecwhError):
        AlsParams(**bad)


def _histories(spark, n_users: int = 30, n_items: int = 60):
    """Users with histories of very different lengths (1 to 45 items), seeded."""
    import numpy as np

    rng = np.random.default_rng(3)
    rows = []
    for u in range(n_users):
        n = 1 if u % 10 == 0 else int(rng.integers(2, 46))
        for i in rng.choice(n_items, size=n, replace=False, p=np.linspace(2, 1, n_items) / np.linspace(2, 1, n_items).sum()):
            rows.append((u, int(i), float(rng.integers(1, 5)), None))
    return spark.createDataFrame(rows, "user_idx int, item_idx int, confidence double, rating double")


def test_top_unseen_is_each_users_best_unseen_items_whatever_their_history(spark):
    import numpy as np

    seen = _histories(spark)
    model = build_als(AlsParams(rank=4, max_iter=3, reg_param=0.1, alpha=1.0)).fit(seen)
    k = 5
    got = {}
    for row in top_unseen(model, seen.select("user_idx").distinct(), seen, k).collect():
        got.setdefault(row["user_idx"], []).append((row["als_rank"], row["item_idx"]))
    users = {r["id"]: np.array(r["features"]) for r in model.userFactors.collect()}
    items = {r["id"]: np.array(r["features"]) for r in model.itemFactors.collect()}
    history = {}
    for row in seen.collect():
        history.setdefault(row["user_idx"], set()).add(row["item_idx"])
    for u, vector in users.items():
        scores = sorted((-float(np.float32(vector @ items[i])), i) for i in items if i not in history[u])
        assert [i for _, i in sorted(got[u])] == [i for _, i in scores[:k]], u


def test_popularity_baseline_is_the_most_popular_unseen_items(spark):
    train = _histories(spark)
    k = 5
    got = {}
    for row in popularity_baseline(train, train, k).collect():
        got.setdefault(row["user_idx"], []).append((row["als_rank"], row["item_idx"]))
    rows = train.collect()
    n_users = {}
    for row in rows:
        n_users[row["item_idx"]] = n_users.get(row["item_idx"], 0) + 1
    ordered = sorted(n_users, key=lambda i: (-n_users[i], i))
    for u in {r["user_idx"] for r in rows}:
        history = {r["item_idx"] for r in rows if r["user_idx"] == u}
        assert [i for _, i in sorted(got[u])] == [i for i in ordered if i not in history][:k], u


def test_holdout_choices_complete_what_is_not_given():
    from recwh.params import HOLDOUT_CHOICES

    pairs = lambda params: [(p.reg_param, p.alpha) for p in params.holdout_choices]  # noqa: E731
    assert pairs(AlsParams()) == list(HOLDOUT_CHOICES)
    assert pairs(AlsParams(reg_param=0.5)) == list(dict.fromkeys((0.5, a) for _, a in HOLDOUT_CHOICES))
    assert pairs(AlsParams(alpha=2.0)) == [(r, 2.0) for r, _ in HOLDOUT_CHOICES]
    assert pairs(AlsParams(reg_param=0.5, alpha=2.0)) == [(0.5, 2.0)]
    assert AlsParams().resolved() == AlsParams(reg_param=HOLDOUT_CHOICES[0][0], alpha=HOLDOUT_CHOICES[0][1])


def test_explicit_feedback_chooses_among_its_own_reg_params():
    from recwh.params import EXPLICIT_REG_PARAMS

    explicit = AlsParams(feedback="explicit")
    assert [p.reg_param for p in explicit.holdout_choices] == list(EXPLICIT_REG_PARAMS)
    assert {p.alpha for p in explicit.holdout_choices} == {1.0}  # Spark's default; explicit ALS ignores it
    assert explicit.resolved().reg_param == EXPLICIT_REG_PARAMS[0]
    assert [p.reg_param for p in AlsParams(feedback="explicit", reg_param=0.2).holdout_choices] == [0.2]


def test_holdout_fits_each_choice_and_keeps_the_best_when_none_is_given(spark):
    from dataclasses import replace

    from recwh.params import HOLDOUT_CHOICES
    from recwh.train import evaluate_holdout

    indexed = _histories(spark)
    params = AlsParams(rank=4, max_iter=3, holdout_fraction=0.25)
    chosen, metrics = evaluate_holdout(indexed, params)
    ndcg = {pair: evaluate_holdout(indexed, replace(params, reg_param=pair[0], alpha=pair[1]))[1]["ndcg_at_10"]
            for pair in HOLDOUT_CHOICES}
    assert len(set(ndcg.values())) > 1  # the choice matters on this data
    best = max(ndcg, key=ndcg.get)
    assert chosen == replace(params, reg_param=best[0], alpha=best[1])
    assert metrics["ndcg_at_10"] == max(ndcg.values())
    assert 0 < metrics["popularity_ndcg_at_10"] <= 1 and metrics["rmse"] is None
