"""The tuner's search, on a score function with a known best."""

from __future__ import annotations

from recwh.params import AlsParams
from recwh.tune import coordinate_search


def test_coordinate_search_finds_the_best_and_scores_each_candidate_once():
    calls = []

    def score(weights: dict) -> float:
        calls.append(weights)
        return -abs(weights["a"] - 2) - abs(weights["b"] - 1)

    best, best_score = coordinate_search({"a": 0, "b": 0}, (("a", (0, 1, 2)), ("b", (0, 1))), score,
                                         lambda weights, name, value: weights | {name: value})
    assert (best, best_score) == ({"a": 2, "b": 1}, 0)
    assert len(calls) == 4  # a=0 (start), a=1, a=2, b=1: never the same candidate twice
    assert len({tuple(sorted(c.items())) for c in calls}) == len(calls)


def test_coordinate_search_over_als_params_keeps_ties_at_the_start():
    best, _ = coordinate_search(AlsParams(rank=8), (("rank", (4, 8, 16)),), lambda als: 1.0,
                                lambda als, name, value: AlsParams(**{**als.__dict__, name: value}))
    assert best == AlsParams(rank=8)
