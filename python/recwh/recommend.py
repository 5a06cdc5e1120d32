"""Reading a user's recommendations from the hybrid mart, or from the context-aware one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from recwh.errors import RecwhError
from recwh.tables import (
    DEVICE_CLASSES,
    DIM_ITEMS,
    DIM_USERS,
    HOUR_DAYPARTS,
    RECOMMENDATIONS,
    RECOMMENDATIONS_BY_CONTEXT,
)

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
        known = (spark.table(RECOMMENDATIONS).select("user_id").distinct()
                 .orderBy("user_id").limit(3).collect())
        raise RecwhError(f"no recommendations for user {user_id!r}",
                         hint="user ids are kept exactly as the source gives them, e.g. "
                              + ", ".join(row["user_id"] for row in known))
    return [row.asDict() for row in rows]


@dataclass(frozen=True)
class Context:
    country: str | None
    daypart: str
    device_class: str


@dataclass(frozen=True)
class ContextRecommendations:
    context: Context
    rows: list[dict]
    is_fallback: bool  # True: the context-free list, because the context has too little data
    note: str | None = None


def resolve_context(spark: SparkSession, user_id: str, device: str, at: str, country: str | None) -> Context:
    """Device name or class -> device class (seed device_classes), local HH:MM -> daypart
    (seed hour_dayparts); country defaults to the user's own."""
    from pyspark.sql import functions as F

    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if not match:
        raise RecwhError(f"--at {at!r} is not a local time", hint="use HH:MM, e.g. --at 21:00")
    for table in (DEVICE_CLASSES, HOUR_DAYPARTS):
        if not spark.catalog.tableExists(table):
            raise RecwhError(f"{table} does not exist yet", hint="run `recwh run` first")
    found = spark.table(DEVICE_CLASSES).where(F.col("device") == device.strip().lower()).first()
    if found is None:
        known = sorted({r["device_class"] for r in spark.table(DEVICE_CLASSES).collect()})
        raise RecwhError(f"unknown device {device!r}",
                         hint=f"use a device class ({', '.join(known)}) or a device of seeds/device_classes.csv")
    daypart = spark.table(HOUR_DAYPARTS).where(F.col("hour") == int(match.group(1))).first()["daypart"]
    if country is None and spark.catalog.tableExists(DIM_USERS):
        home = spark.table(DIM_USERS).where(F.col("user_id") == user_id).select("country").first()
        country = home["country"] if home else None
    return Context(country.strip().upper() if country else None, daypart, found["device_class"])


def context_recommendations_for(
    spark: SparkSession, user_id: str, device: str, at: str, country: str | None = None
) -> ContextRecommendations:
    """The user's list for a context from recommendations_by_context; the context-free list
    (with a note saying why) when that context has too little data."""
    from pyspark.sql import functions as F

    context = resolve_context(spark, user_id, device, at, country)
    if not spark.catalog.tableExists(RECOMMENDATIONS_BY_CONTEXT):
        raise RecwhError(f"{RECOMMENDATIONS_BY_CONTEXT} does not exist yet", hint="run `recwh run` first")
    by_context = spark.table(RECOMMENDATIONS_BY_CONTEXT)
    items = spark.table(DIM_ITEMS).select("item_id", "title")
    rows = (
        by_context.where(
            (F.col("user_id") == user_id) & (F.col("country") == F.lit(context.country))
            & (F.col("daypart") == context.daypart) & (F.col("device_class") == context.device_class)
        )
        .join(items, "item_id", "left")
        .select("rank", "item_id", "title", "score", "hybrid_rank", "context_score", "reason")
        .orderBy("rank")
        .collect()
    )
    if rows:
        return ContextRecommendations(context, [r.asDict() | {"strategy": "context"} for r in rows], False)
    where = f"{context.daypart.replace('_', ' ')} on {context.device_class} in {context.country or 'an unknown country'}"
    if by_context.isEmpty():
        note = ("no event carries a known device and country (e.g. MovieLens), so there are no "
                "context preferences: showing the context-free list")
    else:
        note = f"too little data for user {user_id!r} {where}: showing the context-free list"
    return ContextRecommendations(context, recommendations_for(spark, user_id), True, note)
