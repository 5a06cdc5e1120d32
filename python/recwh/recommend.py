"""Reading a user's recommendations from the hybrid mart, or from the context-aware one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from recwh.errors import RecwhError
from recwh.tables import (
    DEVICE_CLASSES,
    DIM_ITEMS,
    DIM_USERS,
    HOUR_DAYPARTS,
    RECOMMENDATIONS,
    RECOMMENDATIONS_BY_CONTEXT,
)
from recwh.warehouse import read_table


def with_titles(rows: list[dict]) -> list[dict]:
    titles = {row["item_id"]: row["title"] for row in read_table(DIM_ITEMS, ["item_id", "title"],
                                                                  [("item_id", "in", [r["item_id"] for r in rows])])}
    return sorted(({**row, "title": titles.get(row["item_id"])} for row in rows), key=lambda row: row["rank"])


def recommendations_for(user_id: str) -> list[dict]:
    rows = read_table(RECOMMENDATIONS, ["rank", "item_id", "score", "collaborative_score", "content_score",
                                        "popularity_score", "reason", "strategy"], [("user_id", "=", user_id)])
    if not rows:
        known = sorted({row["user_id"] for row in read_table(RECOMMENDATIONS, ["user_id"], [("rank", "=", 1)])})
        raise RecwhError(f"no recommendations for user {user_id!r}",
                         hint="user ids are kept exactly as the source gives them, e.g. " + ", ".join(known[:3]))
    return with_titles(rows)


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


def resolve_context(user_id: str, device: str, at: str, country: str | None) -> Context:
    """Device name or class -> device class (seed device_classes), local HH:MM -> daypart
    (seed hour_dayparts); country defaults to the user's own."""
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if not match:
        raise RecwhError(f"--at {at!r} is not a local time", hint="use HH:MM, e.g. --at 21:00")
    devices = read_table(DEVICE_CLASSES, ["device", "device_class"])
    found = next((row for row in devices if row["device"] == device.strip().lower()), None)
    if found is None:
        known = sorted({row["device_class"] for row in devices})
        raise RecwhError(f"unknown device {device!r}",
                         hint=f"use a device class ({', '.join(known)}) or a device of seeds/device_classes.csv")
    daypart = read_table(HOUR_DAYPARTS, ["daypart"], [("hour", "=", int(match.group(1)))])[0]["daypart"]
    if country is None:
        home = read_table(DIM_USERS, ["country"], [("user_id", "=", user_id)])
        country = home[0]["country"] if home else None
    return Context(country.strip().upper() if country else None, daypart, found["device_class"])


def context_recommendations_for(user_id: str, device: str, at: str, country: str | None = None) -> ContextRecommendations:
    """The user's list for a context from recommendations_by_context; the context-free list
    (with a note saying why) when that context has too little data."""
    context = resolve_context(user_id, device, at, country)
    rows = [] if context.country is None else read_table(
        RECOMMENDATIONS_BY_CONTEXT, ["rank", "item_id", "score", "hybrid_rank", "context_score", "reason"],
        [("user_id", "=", user_id), ("country", "=", context.country), ("daypart", "=", context.daypart),
         ("device_class", "=", context.device_class)])
    if rows:
        return ContextRecommendations(context, [row | {"strategy": "context"} for row in with_titles(rows)], False)
    where = f"{context.daypart.replace('_', ' ')} on {context.device_class} in {context.country or 'an unknown country'}"
    if not read_table(RECOMMENDATIONS_BY_CONTEXT, ["user_id"], limit=1):
        note = ("no event carries a known device and country (e.g. MovieLens), so there are no "
                "context preferences: showing the context-free list")
    else:
        note = f"too little data for user {user_id!r} {where}: showing the context-free list"
    return ContextRecommendations(context, recommendations_for(user_id), True, note)
