"""RMSE of `recwh train --feedback explicit` on MovieLens-100k, beside the tutorials' explicit ALS.

The protocol of `recwh evaluate` (per-user random 75/25 split, seed 42) on the ratings of u.data,
read straight into Spark (no dbt build: the ratings are fct_interactions' ratings as they are).
recwh's explicit mode chooses its regParam on a holdout carved out of the training part, as
`recwh train` does, then fits the whole training part; the test part is scored once.
Usage: python bench/explicit_rmse.py [ML_100K_DIR]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> None:
    data = sys.argv[1] if len(sys.argv) > 1 else str(BENCH.parent.parent / "shared" / "data" / "ml-100k")
    os.environ["RECWH_HOME"] = tempfile.mkdtemp(prefix="recwh-explicit-")
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.sql import functions as F

    from recwh.evaluate import EvaluationParams
    from recwh.params import AlsParams
    from recwh.spark import get_spark
    from recwh.train import ITEM_IDX, USER_IDX, build_als, evaluate_holdout, index_ids, split_per_user

    spark = get_spark()
    ratings = spark.read.csv(f"{data}/u.data", sep="\t", schema="user_id string, item_id string, rating double, ts long")
    indexed = (
        ratings.join(index_ids(ratings, "user_id", USER_IDX), "user_id")
        .join(index_ids(ratings, "item_id", ITEM_IDX), "item_id")
        .select("user_id", "item_id", USER_IDX, ITEM_IDX, "rating", F.col("rating").alias("confidence"))
        .cache()
    )
    train, test = split_per_user(indexed, 0.75, 42, "user_id", "item_id")  # on the string ids, as evaluate splits
    rmse = RegressionEvaluator(metricName="rmse", labelCol="rating", predictionCol="prediction")
    tutorial = EvaluationParams().explicit_als  # the recipe `recwh evaluate` compares against
    print(f"MovieLens-100k ratings, per-user 75/25 split (seed 42): {train.count():,} train, {test.count():,} test")
    before = AlsParams(feedback="explicit", reg_param=0.1, holdout_fraction=0)
    for name, params in (("recwh explicit mode (defaults)", AlsParams(feedback="explicit")),
                         ("recwh explicit mode, regParam 0.1 (its choice before 2fbd89c)", before),
                         ("tutorial explicit ALS (rank 10, 10 iterations, regParam 0.1)", tutorial)):
        started = time.monotonic()
        if params.holdout_fraction > 0:
            params, _ = evaluate_holdout(train, params)  # chooses regParam on a holdout of train
        params = params.resolved()
        model = build_als(params).fit(train)
        score = rmse.evaluate(model.transform(test))
        print(f"  {name}: rank {params.rank}, regParam {params.reg_param}: "
              f"test RMSE {score:.4f} ({time.monotonic() - started:.0f} s)")
    spark.stop()


if __name__ == "__main__":
    main()
