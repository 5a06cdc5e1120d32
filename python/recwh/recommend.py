"""Reading a user's recommendations from the hybrid mart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.tables import DIM_ITEMS, RECOMMENDATIONS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def recommendations_for(spark: SparkSession, user_id: str) -> list[dict]:
    from pyspark.sql import functions as F

    if not spark.catalog.tableExists(RECOMMENDATIONS):
        raise RecwhError(f"{RECOMMENDATIONS} does not exist yet", hint="run `recwh run` first")
    items = spark.table(DIM_ITEMS).select("item_id", "title")
    rows = (
        spark.table(RECOMMENDATIONS).where(F.col("user_id") == user_id)
        .join(items, "item_id", "left")
        .select("rank", "item_id", "title", "score", "collaborative_score", "content_score",
                "popularity_score", "reason", "strategy")
        .orderBy("rank")
        .collect()
    )
    if not rows:
        raise RecwhError(f"no recommendations for user {user_id!r}",
                         hint="user ids are kept exactly as the source gives them; "
                              f"list some with `select user_id from {RECOMMENDATIONS}`")
    return [row.asDict() for row in rows]
