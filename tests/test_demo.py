"""The demo generator: raw-shaped, deterministic, dirty on purpose, and with real signal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recwh import demo
from recwh.tables import LIST_SEPARATOR, RAW_CATALOG, RAW_COLUMNS, RAW_EVENTS, RAW_USERS

USERS, ITEMS = 600, 300
VALID_EVENT_TYPES = {"play", "complete", "rating", "like", "add_to_list", "search_click"}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return demo.generate(USERS, ITEMS, seed=7)


def test_frames_have_the_raw_tables_and_columns(data):
    assert set(data) == {RAW_EVENTS, RAW_CATALOG, RAW_USERS}
    for table, frame in data.items():
        assert list(frame.columns) == RAW_COLUMNS[table]
    assert len(data[RAW_USERS]) == USERS
    assert len(data[RAW_CATALOG]) == ITEMS


def test_every_value_is_a_string_or_none(data):
    for table, frame in data.items():
        for column in frame.columns:
            kinds = {type(v) for v in frame[column]}
            assert kinds <= {str, type(None)}, (table, column, kinds)


def test_ids_are_zero_padded_strings(data):
    assert data[RAW_USERS]["user_id"].iloc[0] == "u00001"
    assert data[RAW_CATALOG]["item_id"].iloc[-1] == f"i{ITEMS:05d}"
    assert data[RAW_CATALOG]["item_id"].is_unique


def test_same_arguments_give_identical_frames(data):
    again = demo.generate(USERS, ITEMS, seed=7)
    for table in data:
        pd.testing.assert_frame_equal(data[table], again[table])
    other = demo.generate(USERS, ITEMS, seed=8)
    assert not data[RAW_EVENTS].equals(other[RAW_EVENTS])


def test_events_per_user_sets_the_volume():
    small = demo.generate(200, 100, seed=1, events_per_user=10)
    large = demo.generate(200, 100, seed=1, events_per_user=40)
    per_user = [len(d[RAW_EVENTS]) / d[RAW_EVENTS]["user_id"].nunique() for d in (small, large)]
    assert 6 < per_user[0] < 15
    assert 28 < per_user[1] < 55


def test_catalog_fields_are_plausible(data):
    catalog = data[RAW_CATALOG]
    assert set(catalog["kind"]) <= {"movie", "series", "documentary", "special"}
    genre_lists = catalog["genres"].str.split(LIST_SEPARATOR, regex=False)
    assert genre_lists.map(len).between(1, 3).all()
    assert set(genre_lists.explode()) <= set(demo.GENRES)
    assert catalog["directors"].str.split(LIST_SEPARATOR, regex=False).map(len).between(1, 2).all()
    assert catalog["cast"].str.split(LIST_SEPARATOR, regex=False).map(len).between(2, 4).all()
    assert catalog["release_year"].astype(int).between(1950, 2026).all()
    movies = catalog[catalog["kind"] == "movie"]["runtime_min"].astype(int)
    series = catalog[catalog["kind"] == "series"]["runtime_min"].astype(int)
    assert movies.between(80, 180).all() and series.between(20, 60).all()
    assert (catalog["language"] == "en").mean() > 0.5
    assert catalog["title"].nunique() > 0.8 * ITEMS
    assert (catalog["title"] != catalog["title"].str.strip()).sum() == 2
    # The description mentions the item's first genre (unless it is the kind itself).
    first_genre = genre_lists.str[0].str.lower()
    mentioned = [g in d or g == "documentary" for g, d in zip(first_genre, catalog["description"])]
    assert all(mentioned)


def test_users_fields_are_plausible(data):
    users = data[RAW_USERS]
    signup = pd.to_datetime(users["signup_at"])
    assert signup.dt.year.between(2022, 2026).all()
    assert set(users["country"]) <= set(demo.COUNTRIES)
    assert set(users["plan"]) == {"basic", "standard", "premium"}


def test_some_users_are_cold_start(data):
    active = set(data[RAW_EVENTS]["user_id"])
    cold = [u for u in data[RAW_USERS]["user_id"] if u not in active]
    assert 0.01 * USERS <= len(cold) <= 0.06 * USERS


def test_clean_events_are_well_formed(data):
    events = _clean(data)
    assert set(events["event_type"]) == VALID_EVENT_TYPES
    times = pd.to_datetime(events["occurred_at"], utc=True)
    assert times.min() >= pd.Timestamp("2025-01-01", tz="UTC")
    assert times.max() <= pd.Timestamp("2026-11-01", tz="UTC")
    # Evening peak in local time: 19-22h busier than 02-05h by far.
    hours = _local_hours(events)
    assert hours.between(19, 22).sum() > 5 * hours.between(2, 5).sum()
    plays = events[events["event_type"] == "play"]
    assert plays["watch_seconds"].astype(int).ge(0).all()
    ratings = events[events["event_type"] == "rating"]["value"]
    assert set(ratings) <= {"1", "2", "3", "4", "5"}
    assert events[events["event_type"] == "complete"]["value"].isna().all()
    # Events carry the user's own country.
    country = data[RAW_USERS].set_index("user_id")["country"]
    assert (events["country"] == events["user_id"].map(country)).all()


def test_dirty_rows_are_present_and_few(data):
    events = data[RAW_EVENTS]
    known_users, known_items = set(data[RAW_USERS]["user_id"]), set(data[RAW_CATALOG]["item_id"])
    trimmed = events["event_type"].str.strip().str.lower()
    checks = {
        "duplicate": events.duplicated().sum(),
        "unknown item": (~events["item_id"].isin(known_items)).sum(),
        "unknown user": (~events["user_id"].isin(known_users) & (events["user_id"].str.strip() != "")).sum(),
        "blank user": (events["user_id"].str.strip() == "").sum(),
        "bad timestamp": events["occurred_at"].isin(["not-a-date", "2025-13-45"]).sum(),
        "negative watch": events["watch_seconds"].str.startswith("-", na=False).sum(),
        "rating out of range": ((trimmed == "rating") & events["value"].isin(["9", "-1"])).sum(),
        "odd casing": ((events["event_type"] != trimmed) & trimmed.isin(VALID_EVENT_TYPES)).sum(),
        "unknown type": (events["event_type"] == "teleport").sum(),
    }
    assert all(count > 0 for count in checks.values()), checks
    invalid = len(events) - len(_clean(data))
    assert 0.005 * len(events) < invalid < 0.03 * len(events)


def test_users_concentrate_on_their_preferred_genres(data):
    """A user's plays cluster in few genres much more than if users were shuffled."""
    plays = _clean(data)
    plays = plays[plays["event_type"] == "play"][["user_id", "item_id"]]
    genres = data[RAW_CATALOG].set_index("item_id")["genres"].str.split(LIST_SEPARATOR, regex=False)
    shuffled = plays.assign(user_id=np.random.default_rng(0).permutation(plays["user_id"].to_numpy()))
    real, baseline = _top_genre_share(plays, genres), _top_genre_share(shuffled, genres)
    assert real > baseline + 0.1, (real, baseline)


def test_popularity_is_skewed(data):
    plays = _clean(data)
    counts = plays[plays["event_type"] == "play"]["item_id"].value_counts()
    top_decile = counts.iloc[: ITEMS // 10].sum() / counts.sum()
    assert top_decile > 0.25


def test_offsets_and_dayparts_match_the_dbt_seeds():
    seeds = Path(__file__).parents[1] / "seeds"
    offsets = pd.read_csv(seeds / "country_utc_offsets.csv", keep_default_na=False)
    assert dict(zip(offsets["country"], offsets["utc_offset_minutes"])) == demo.COUNTRY_UTC_OFFSET_MINUTES
    assert set(demo.COUNTRIES) <= set(offsets["country"])
    dayparts = pd.read_csv(seeds / "hour_dayparts.csv")
    assert list(dayparts["daypart"]) == [demo.DAYPARTS[d] for d in demo.DAYPART_OF_HOUR]
    classes = pd.read_csv(seeds / "device_classes.csv").set_index("device")["device_class"]
    assert [classes[d] for d in demo.DEVICES] == [demo.DEVICE_CLASSES[c] for c in demo.DEVICE_CLASS_OF]


def test_tastes_shift_with_device_and_daypart(data):
    plays = _clean(data)
    plays = plays[plays["event_type"] == "play"].copy()
    catalog = data[RAW_CATALOG].set_index("item_id")
    plays["kind"] = plays["item_id"].map(catalog["kind"])
    series_share = plays.assign(series=plays["kind"] == "series").groupby("device")["series"].mean()
    assert series_share["iphone"] > 3 * series_share["tv"], series_share
    plays["daypart"] = _local_hours(plays).map(lambda h: demo.DAYPARTS[demo.DAYPART_OF_HOUR[h]])
    genres = plays.assign(genre=plays["item_id"].map(catalog["genres"]).str.split(LIST_SEPARATOR, regex=False))
    horror = genres.explode("genre").assign(horror=lambda f: f["genre"] == "Horror").groupby("daypart")["horror"].mean()
    assert horror["late_night"] > 1.5 * horror["afternoon"], horror


def _local_hours(events: pd.DataFrame) -> pd.Series:
    offsets = pd.to_timedelta(events["country"].map(demo.COUNTRY_UTC_OFFSET_MINUTES), unit="m")
    return (pd.to_datetime(events["occurred_at"], utc=True) + offsets).dt.hour


def _top_genre_share(plays: pd.DataFrame, genres: pd.Series) -> float:
    exploded = plays.assign(genre=plays["item_id"].map(genres)).explode("genre")
    counts = exploded.groupby(["user_id", "genre"]).size()
    per_user = counts.groupby(level="user_id").max() / plays.groupby("user_id").size()
    active = plays.groupby("user_id").size() >= 10
    return float(per_user[active].mean())


def _clean(data) -> pd.DataFrame:
    """Events as staging should keep them: known ids, valid type, time and values."""
    events = data[RAW_EVENTS].drop_duplicates().copy()
    events["event_type"] = events["event_type"].str.strip().str.lower()
    keep = (
        events["user_id"].isin(data[RAW_USERS]["user_id"])
        & events["item_id"].isin(data[RAW_CATALOG]["item_id"])
        & events["event_type"].isin(VALID_EVENT_TYPES)
        & pd.to_datetime(events["occurred_at"], errors="coerce", utc=True).notna()
        & ~events["watch_seconds"].str.startswith("-", na=False)
        & ~((events["event_type"] == "rating") & events["value"].isin(["9", "-1"]))
    )
    return events[keep]
