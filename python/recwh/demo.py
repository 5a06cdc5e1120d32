"""A deterministic, realistic OTT data set in the raw tables' shape.

Behaviour comes from a latent-taste model, so collaborative filtering has real signal:
every user prefers some genres (Dirichlet) and has a latent vector; every item has a
latent vector built from its genres, directors and cast; item popularity is Zipf-like.
Sessions pick an item by sampling candidates from a preferred genre (weighted by
popularity) and keeping the one the user's taste scores highest (Gumbel-max), and the
same taste drives how much of it is watched, whether it is liked and how it is rated.

Context matters: a session first gets a device (the user's primary or secondary) and a
local hour (TVs peak in the evening, phones also at commute and lunch time), and tastes
shift with them: each daypart favours some genres (family titles in the morning, horror
late at night) and each device class some kinds (films on the TV, series on the phone).
Timestamps are UTC: the local hour minus the country's offset (`COUNTRY_UTC_OFFSET_MINUTES`,
the same standard-time offsets as the dbt seed `country_utc_offsets`).

Everything is vectorised numpy and drawn from one `numpy.random.default_rng(seed)`, so
the same arguments always give identical frames. Every value is a `str` (or None),
because raw lands strings and typing is staging's job; a small share of rows is dirty
on purpose so staging's cleaning has something to do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recwh.tables import LIST_SEPARATOR, RAW_CATALOG, RAW_COLUMNS, RAW_EVENTS, RAW_USERS

GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "Horror", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    "Music", "Sport",
)
# Relative frequency of each genre in the catalogue and in tastes (Drama, Comedy dominate).
GENRE_WEIGHTS = np.array(
    [8, 5, 3, 9, 6, 3, 12, 4, 4, 4, 4, 6, 4, 7, 1.5, 1, 2, 1.5], dtype=float
)
KINDS = ("movie", "series", "documentary", "special")
KIND_WEIGHTS = (0.55, 0.30, 0.10, 0.05)
LANGUAGES = ("en", "es", "fr", "de", "ja", "ko", "hi")
LANGUAGE_WEIGHTS = (0.70, 0.07, 0.06, 0.04, 0.05, 0.05, 0.03)
COUNTRIES = ("US", "GB", "DE", "FR", "ES", "IN", "BR", "JP", "KR", "MX", "CA", "AU")
COUNTRY_WEIGHTS = (0.35, 0.08, 0.07, 0.06, 0.05, 0.09, 0.08, 0.05, 0.04, 0.05, 0.05, 0.03)
PLANS = ("basic", "standard", "premium")
PLAN_WEIGHTS = (0.35, 0.45, 0.20)
DEVICES = ("tv", "roku", "firetv", "iphone", "android", "ipad", "web")
DEVICE_WEIGHTS = (0.30, 0.12, 0.10, 0.15, 0.15, 0.06, 0.12)
# The seed device_classes' mapping of these devices.
DEVICE_CLASSES = ("tv", "mobile", "tablet", "desktop")
DEVICE_CLASS_OF = np.array([0, 0, 0, 1, 1, 2, 3])  # per DEVICES entry
# Viewing by local hour of day: quiet overnight, an evening peak around 20:00 ...
HOUR_WEIGHTS = np.array(
    [3, 2, 1, 1, 1, 1, 2, 3, 3, 3, 3, 4, 5, 4, 4, 5, 6, 7, 9, 12, 13, 12, 9, 5], dtype=float
)
# ... and on phones also at the morning commute and at lunch.
MOBILE_HOUR_WEIGHTS = np.array(
    [2, 1, 1, 0.5, 0.5, 1, 3, 7, 9, 6, 5, 7, 11, 9, 5, 5, 6, 8, 7, 6, 6, 5, 4, 3], dtype=float
)
# Standard-time offset of each country's most populous zone (no DST): the dbt seed
# country_utc_offsets holds the same values (a test checks), so staging recovers local time.
COUNTRY_UTC_OFFSET_MINUTES = {
    "US": -300, "CA": -300, "MX": -360, "BR": -180, "GB": 0, "FR": 60, "DE": 60, "ES": 60,
    "IN": 330, "JP": 540, "KR": 540, "AU": 600,
}
# Local hour -> daypart, as the dbt seed hour_dayparts.
DAYPARTS = ("morning", "afternoon", "evening", "late_night")
DAYPART_OF_HOUR = np.array([3] * 5 + [0] * 7 + [1] * 5 + [2] * 5 + [3] * 2)
# Context tastes: a daypart multiplies the odds of picking some genres ...
DAYPART_GENRE_BOOST = {
    "morning": {"Family": 5, "Animation": 5, "Documentary": 3, "Music": 3},
    "afternoon": {"Comedy": 3, "Sport": 4, "Romance": 2, "Adventure": 2},
    "evening": {"Drama": 2, "Thriller": 3, "Crime": 3, "Action": 2, "Sci-Fi": 2},
    "late_night": {"Horror": 5, "Mystery": 3, "Thriller": 2, "Fantasy": 2},
}
# ... and a device class adds to the taste score of some kinds (before TASTE_SHARPNESS).
DEVICE_KIND_BONUS = {
    "tv": {"movie": 0.5, "series": -0.3},
    "mobile": {"movie": -0.8, "series": 0.7, "special": 0.5},
    "tablet": {"series": 0.3, "documentary": 0.6},
    "desktop": {"documentary": 0.8, "movie": -0.3},
}

EVENT_START = np.datetime64("2025-01-01T00:00:00", "s")
EVENT_END = np.datetime64("2026-10-31T23:59:59", "s")
SIGNUP_START = np.datetime64("2022-01-01T00:00:00", "s")
SIGNUP_END = np.datetime64("2026-09-30T23:59:59", "s")

COLD_START_SHARE = 0.03
DIRTY_SHARE = 0.015
LATENT_DIM = 16
CANDIDATES_PER_SESSION = 16
# How strongly taste beats chance when picking among candidates (a softmax temperature).
TASTE_SHARPNESS = 3.0
EXPLORE_SHARE = 0.15  # sessions that browse the whole catalogue instead of a liked genre
SESSION_CHUNK = 100_000  # bounds memory of the candidate-scoring step
# Measured mean events per session with the probabilities below; turns the requested
# events per user into a session count.
EVENTS_PER_SESSION = 1.75

FIRST_NAMES = (
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kira",
    "Liam", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara", "Umar",
    "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri", "Esme",
    "Felix", "Gia", "Hugo", "Ivy", "Jae", "Kofi", "Lena", "Mateo", "Nora", "Oscar", "Priya",
    "Rafael", "Sofia", "Theo", "Uma", "Viktor", "Yara",
)
LAST_NAMES = (
    "Moreno", "Okafor", "Tanaka", "Schmidt", "Dubois", "Kowalski", "Haddad", "Nguyen",
    "Rossi", "Silva", "Kim", "Patel", "Johansson", "Murphy", "Novak", "Garcia", "Ibrahim",
    "Fischer", "Laurent", "Costa", "Sato", "Andersen", "Reyes", "Mendes", "Cohen", "Park",
    "Walsh", "Bianchi", "Ortega", "Popescu", "Hughes", "Yamamoto", "Larsen", "Mwangi",
    "Fournier", "Ahmed", "Castillo", "Weber", "Lindqvist", "Rahman", "Ferreira", "Quinn",
    "Volkov", "Santos", "Brennan", "Chen", "Adeyemi", "Morales",
)
TITLE_ADJECTIVES = (
    "Silent", "Crimson", "Broken", "Hidden", "Golden", "Last", "Midnight", "Burning",
    "Frozen", "Wild", "Lost", "Electric", "Quiet", "Savage", "Hollow", "Endless", "Shattered",
    "Velvet", "Iron", "Secret", "Distant", "Scarlet", "Restless", "Sunken", "Forgotten",
    "Bright", "Dark", "Neon", "Paper", "Glass", "Northern", "Little", "Final", "Second",
    "Wandering", "Bitter", "Gentle", "Stolen", "Rising", "Falling",
)
TITLE_NOUNS = (
    "River", "Harbor", "Empire", "Garden", "Signal", "Kingdom", "Echo", "Frontier", "Orchard",
    "Station", "Mirror", "Highway", "Lantern", "Island", "Circus", "Summer", "Winter",
    "Promise", "Machine", "Witness", "Stranger", "Tide", "Compass", "Orbit", "Canyon",
    "Letter", "Crown", "Shadow", "Storm", "Harvest", "Ballad", "Engine", "Horizon", "Fortress",
    "Carnival", "Heist", "Prophecy", "Rebellion", "Voyage", "Moon",
)
TITLE_SUFFIXES = ("Files", "Protocol", "Affair", "Chronicles", "Diaries", "Project", "Code")
TONES = (
    "gripping", "heartfelt", "darkly funny", "sweeping", "tense", "playful", "haunting",
    "bittersweet", "stylish", "intimate", "explosive", "quietly powerful",
)
SUBJECTS = (
    "a retired detective", "two estranged sisters", "a small-town teacher", "a rookie pilot",
    "a family of con artists", "a reclusive inventor", "an unlikely band", "a grieving chef",
    "a young athlete", "a disgraced journalist", "a crew of misfits", "a lonely android",
)
PREDICAMENTS = (
    "who stumbles onto a secret", "chasing one last chance", "on the run from the past",
    "fighting to keep a promise", "caught between two worlds", "who must choose a side",
    "searching for home", "racing against time",
)
KIND_NOUNS = {"movie": "film", "series": "series", "documentary": "documentary",
              "special": "special"}


def generate(
    users: int, items: int, seed: int = 42, events_per_user: float = 30.0
) -> dict[str, pd.DataFrame]:
    """Raw events, catalog and users for a synthetic streaming platform.

    `events_per_user` is the mean number of event rows per active user (activity is
    heavy-tailed, so individual users vary a lot); about 3% of users have no events.
    """
    if users < 1 or items < 1:
        raise ValueError("users and items must both be at least 1")
    if events_per_user < 0:
        raise ValueError("events_per_user must not be negative")
    rng = np.random.default_rng(seed)

    item_ids = _ids("i", items)
    user_ids = _ids("u", users)
    catalog, item_model = _catalog(rng, item_ids)
    users_frame, user_model = _users(rng, user_ids, item_model)
    events = _events(rng, user_ids, item_ids, user_model, item_model, events_per_user)
    return {RAW_EVENTS: events, RAW_CATALOG: catalog, RAW_USERS: users_frame}


def _ids(prefix: str, count: int) -> np.ndarray:
    width = max(5, len(str(count)))
    return np.array([f"{prefix}{n:0{width}d}" for n in range(1, count + 1)], dtype=object)


def _weighted(rng: np.random.Generator, options, weights, size: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(options), size=size, p=p / p.sum())


def _frame(table: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({name: columns[name] for name in RAW_COLUMNS[table]}, dtype=object)


def _person_pool(rng: np.random.Generator, size: int) -> np.ndarray:
    """Distinct names: plain 'First Last' first, middle initials only when those run out."""
    plain = len(FIRST_NAMES) * len(LAST_NAMES)
    picks = rng.permutation(plain)[: min(size, plain)]
    names = [f"{FIRST_NAMES[p // len(LAST_NAMES)]} {LAST_NAMES[p % len(LAST_NAMES)]}" for p in picks]
    if size > plain:
        extra = rng.choice(plain * 26, size=size - plain, replace=size - plain > plain * 26)
        for p in extra:
            base, initial = divmod(int(p), 26)
            first, last = FIRST_NAMES[base // len(LAST_NAMES)], LAST_NAMES[base % len(LAST_NAMES)]
            names.append(f"{first} {chr(65 + initial)}. {last}")
    return np.array(names, dtype=object)


def _zipf_weights(rng: np.random.Generator, size: int, exponent: float) -> np.ndarray:
    """Zipf-like weights assigned to a random order, so the id order carries no signal."""
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return weights[rng.permutation(size)]


def _pick_k(rng: np.random.Generator, counts: np.ndarray, pool_weights: np.ndarray,
            max_k: int) -> np.ndarray:
    """Per row, `counts[row]` distinct pool indices drawn by weight; unused slots are -1."""
    rows = len(counts)
    keys = np.log(pool_weights)[None, :] + rng.gumbel(size=(rows, len(pool_weights)))
    if keys.shape[1] > max_k:
        top = np.argpartition(-keys, max_k, axis=1)[:, :max_k]
    else:
        top = np.argsort(-keys, axis=1)[:, :max_k]
    order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    if top.shape[1] < max_k:
        top = np.pad(top, ((0, 0), (0, max_k - top.shape[1])), constant_values=-1)
    top[np.arange(max_k)[None, :] >= counts[:, None]] = -1
    return top


def _pick_k_large_pool(rng: np.random.Generator, counts: np.ndarray, pool_weights: np.ndarray,
                       max_k: int) -> np.ndarray:
    """Like `_pick_k` for big pools: draw with replacement, then drop repeats within a row."""
    p = pool_weights / pool_weights.sum()
    draws = rng.choice(len(p), size=(len(counts), max_k), p=p)
    sorted_draws = np.sort(draws, axis=1)
    repeated = np.zeros_like(draws, dtype=bool)
    repeated[:, 1:] = sorted_draws[:, 1:] == sorted_draws[:, :-1]
    picks = np.where(repeated, -1, sorted_draws)
    picks[np.arange(max_k)[None, :] >= counts[:, None]] = -1
    return picks


def _join_names(pool: np.ndarray, picks: np.ndarray) -> list[str]:
    return [LIST_SEPARATOR.join(pool[p] for p in row if p >= 0) for row in picks]


def _catalog(rng: np.random.Generator, item_ids: np.ndarray):
    n = len(item_ids)
    kind = _weighted(rng, KINDS, KIND_WEIGHTS, n)

    # Genres: 1-3 distinct per item; documentaries always carry Documentary first.
    genre_count = _weighted(rng, (1, 2, 3), (0.4, 0.4, 0.2), n) + 1
    keys = np.log(GENRE_WEIGHTS)[None, :] + rng.gumbel(size=(n, len(GENRES)))
    keys[kind == KINDS.index("documentary"), GENRES.index("Documentary")] += 100.0
    genres = np.argsort(-keys, axis=1)[:, :3]
    genres[np.arange(3)[None, :] >= genre_count[:, None]] = -1

    # People pools scale with the catalogue; a few prolific directors and stars.
    director_pool = _person_pool(rng, max(2, n // 8))
    cast_pool = _person_pool(rng, max(4, n // 3))
    director_weights = _zipf_weights(rng, len(director_pool), 0.7)
    cast_weights = _zipf_weights(rng, len(cast_pool), 0.7)
    pick = _pick_k if len(cast_pool) <= 2000 else _pick_k_large_pool
    directors = pick(rng, _weighted(rng, (1, 2), (0.85, 0.15), n) + 1, director_weights, 2)
    cast = pick(rng, rng.integers(2, 5, size=n), cast_weights, 4)

    # Latent item vectors tie taste to genres, directors and cast.
    genre_vectors = rng.normal(size=(len(GENRES), LATENT_DIM))
    director_vectors = rng.normal(size=(len(director_pool), LATENT_DIM))
    cast_vectors = rng.normal(size=(len(cast_pool), LATENT_DIM))
    latent = (
        0.8 * _mean_rows(genre_vectors, genres)
        + 0.5 * _mean_rows(director_vectors, directors)
        + 0.3 * _mean_rows(cast_vectors, cast)
        + rng.normal(scale=0.4, size=(n, LATENT_DIM))
    )
    quality = rng.normal(scale=0.4, size=n)
    popularity = _zipf_weights(rng, n, 0.9)

    release_year = np.clip(2026 - np.floor(rng.exponential(14.0, size=n)), 1950, 2026).astype(int)
    runtime = np.select(
        [kind == 0, kind == 1, kind == 2],
        [np.clip(rng.normal(112, 20, n), 80, 180), rng.integers(20, 61, n),
         rng.integers(45, 121, n)],
        rng.integers(30, 121, n),
    ).astype(int)
    language = _weighted(rng, LANGUAGES, LANGUAGE_WEIGHTS, n)

    titles = _titles(rng, n)
    # A couple of padded titles: staging must trim them.
    padded = rng.choice(n, size=min(2, n), replace=False)
    for i in padded:
        titles[i] = f"  {titles[i]} "

    tone = rng.integers(len(TONES), size=n)
    subject = rng.integers(len(SUBJECTS), size=n)
    predicament = rng.integers(len(PREDICAMENTS), size=n)
    descriptions = []
    genre_names = []
    for i in range(n):
        names = [GENRES[g] for g in genres[i] if g >= 0]
        genre_names.append(LIST_SEPARATOR.join(names))
        kind_noun = KIND_NOUNS[KINDS[kind[i]]]
        # "a documentary documentary" reads badly: the kind already says it.
        words = [g.lower() for g in names if g.lower() != kind_noun]
        genre_phrase = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)
        article = "An" if TONES[tone[i]][0] in "aeiou" else "A"
        descriptions.append(
            f"{article} {TONES[tone[i]]} {genre_phrase + ' ' if genre_phrase else ''}{kind_noun} about "
            f"{SUBJECTS[subject[i]]} {PREDICAMENTS[predicament[i]]}."
        )

    frame = _frame(RAW_CATALOG, {
        "item_id": item_ids,
        "title": np.array(titles, dtype=object),
        "kind": np.array(KINDS, dtype=object)[kind],
        "genres": np.array(genre_names, dtype=object),
        "directors": np.array(_join_names(director_pool, directors), dtype=object),
        "cast": np.array(_join_names(cast_pool, cast), dtype=object),
        "release_year": _int_strings(release_year),
        "runtime_min": _int_strings(runtime),
        "language": np.array(LANGUAGES, dtype=object)[language],
        "description": np.array(descriptions, dtype=object),
    })
    model = {
        "genres": genres, "kind": kind, "genre_vectors": genre_vectors, "latent": latent,
        "quality": quality, "popularity": popularity, "runtime": runtime,
    }
    return frame, model


def _mean_rows(vectors: np.ndarray, picks: np.ndarray) -> np.ndarray:
    used = picks >= 0
    summed = (vectors[np.where(used, picks, 0)] * used[..., None]).sum(axis=1)
    return summed / np.maximum(used.sum(axis=1), 1)[:, None]


def _titles(rng: np.random.Generator, n: int) -> list[str]:
    pattern = _weighted(rng, range(5), (0.3, 0.25, 0.2, 0.15, 0.1), n)
    adjective = rng.integers(len(TITLE_ADJECTIVES), size=n)
    noun = rng.integers(len(TITLE_NOUNS), size=n)
    other = rng.integers(len(TITLE_NOUNS), size=n)
    suffix = rng.integers(len(TITLE_SUFFIXES), size=n)
    sequel = rng.random(n) < 0.05
    titles = []
    for i in range(n):
        adj, nn, nn2 = TITLE_ADJECTIVES[adjective[i]], TITLE_NOUNS[noun[i]], TITLE_NOUNS[other[i]]
        title = (
            f"The {adj} {nn}",
            f"{adj} {nn}",
            f"{nn} of the {adj} {nn2}",
            f"The {nn} {TITLE_SUFFIXES[suffix[i]]}",
            f"{nn}s of {nn2}",
        )[pattern[i]]
        titles.append(f"{title} {2 + i % 3}" if sequel[i] else title)
    return titles


def _users(rng: np.random.Generator, user_ids: np.ndarray, item_model: dict):
    n = len(user_ids)
    span = (SIGNUP_END - SIGNUP_START).astype(np.int64)
    signup = SIGNUP_START + rng.integers(0, span + 1, size=n).astype("timedelta64[s]")
    country = _weighted(rng, COUNTRIES, COUNTRY_WEIGHTS, n)
    plan = _weighted(rng, PLANS, PLAN_WEIGHTS, n)

    # Taste: sparse genre preferences (popular genres more often liked) plus a latent
    # vector that follows them, with personal noise.
    alpha = 0.2 * GENRE_WEIGHTS / GENRE_WEIGHTS.mean()
    preference = rng.dirichlet(alpha, size=n)
    latent = 1.2 * preference @ item_model["genre_vectors"] + rng.normal(
        scale=0.7, size=(n, LATENT_DIM)
    )
    primary_device = _weighted(rng, DEVICES, DEVICE_WEIGHTS, n)
    secondary_device = _weighted(rng, DEVICES, DEVICE_WEIGHTS, n)

    frame = _frame(RAW_USERS, {
        "user_id": user_ids,
        "signup_at": _iso(signup),
        "country": np.array(COUNTRIES, dtype=object)[country],
        "plan": np.array(PLANS, dtype=object)[plan],
    })
    model = {
        "signup": signup, "country": country, "preference": preference, "latent": latent,
        "devices": np.stack([primary_device, secondary_device], axis=1),
    }
    return frame, model


def _genre_sampler(item_model: dict):
    """One sorted CDF array: block g holds g + popularity-CDF of genre g's items; the
    last block holds every item, for exploring sessions. Sampling genre g with uniform u
    is then a single searchsorted of g + u."""
    genres, popularity = item_model["genres"], item_model["popularity"]
    n_blocks = len(GENRES) + 1
    cdf_parts, item_parts = [], []
    present = np.zeros(len(GENRES), dtype=bool)
    for block in range(n_blocks):
        members = (np.flatnonzero((genres == block).any(axis=1)) if block < len(GENRES)
                   else np.arange(len(popularity)))
        if len(members) == 0:
            continue
        if block < len(GENRES):
            present[block] = True
        cdf = np.cumsum(popularity[members])
        cdf /= cdf[-1]
        cdf[-1] = 1.0
        cdf_parts.append(block + cdf)
        item_parts.append(members)
    return np.concatenate(cdf_parts), np.concatenate(item_parts), present


def _events(rng, user_ids, item_ids, user_model, item_model, events_per_user):
    n_users = len(user_ids)
    # Heavy-tailed activity; a fixed ~3% of users never watch anything (cold start).
    activity = rng.gamma(shape=1.2, scale=1 / 1.2, size=n_users)
    sessions_per_user = rng.poisson(activity * events_per_user / EVENTS_PER_SESSION)
    sessions_per_user = np.maximum(sessions_per_user, 1 if events_per_user > 0 else 0)
    cold = rng.choice(n_users, size=min(n_users, max(1, round(COLD_START_SHARE * n_users))),
                      replace=False)
    sessions_per_user[cold] = 0
    session_user = np.repeat(np.arange(n_users), sessions_per_user)
    n_sessions = len(session_user)

    # The session's context: a device, then a local hour from that device's daily curve.
    device_slot = (rng.random(n_sessions) < 0.2).astype(int)
    device = user_model["devices"][session_user, device_slot]
    device_class = DEVICE_CLASS_OF[device]
    hour = np.where(device_class == DEVICE_CLASSES.index("mobile"),
                    _weighted(rng, range(24), MOBILE_HOUR_WEIGHTS, n_sessions),
                    _weighted(rng, range(24), HOUR_WEIGHTS, n_sessions))
    daypart = DAYPART_OF_HOUR[hour]
    genre_boost = _context_matrix(DAYPART_GENRE_BOOST, DAYPARTS, GENRES, default=1.0)
    kind_bonus = _context_matrix(DEVICE_KIND_BONUS, DEVICE_CLASSES, KINDS, default=0.0)

    # Choose an item per session: candidates from a genre the user prefers in this daypart,
    # by popularity; the best-liked by taste (plus the device's kind bonus) wins (Gumbel-max).
    cdf, cdf_items, present = _genre_sampler(item_model)
    preference = user_model["preference"] * present
    item_latent = item_model["latent"].astype(np.float32)
    user_latent = user_model["latent"].astype(np.float32)
    quality = item_model["quality"].astype(np.float32)
    item_kind = item_model["kind"]
    scale = np.float32(1.0 / np.sqrt(LATENT_DIM))
    chosen = np.empty(n_sessions, dtype=np.int64)
    affinity = np.empty(n_sessions, dtype=np.float32)
    for start in range(0, n_sessions, SESSION_CHUNK):
        sessions = slice(start, start + SESSION_CHUNK)
        users = session_user[sessions]
        m = len(users)
        in_context = preference[users] * genre_boost[daypart[sessions]]
        cumulative_preference = np.cumsum(in_context / in_context.sum(axis=1, keepdims=True), axis=1)
        genre = (cumulative_preference < rng.random(m)[:, None]).sum(axis=1)
        genre[rng.random(m) < EXPLORE_SHARE] = len(GENRES)
        draws = genre[:, None] + rng.random((m, CANDIDATES_PER_SESSION))
        candidates = cdf_items[np.minimum(np.searchsorted(cdf, draws, side="right"),
                                          len(cdf_items) - 1)]
        scores = np.einsum("md,mkd->mk", user_latent[users], item_latent[candidates]) * scale
        scores += quality[candidates]
        taste = scores.copy()
        scores += kind_bonus[device_class[sessions][:, None], item_kind[candidates]].astype(np.float32)
        scores *= np.float32(TASTE_SHARPNESS)
        best = np.argmax(scores + rng.gumbel(size=scores.shape).astype(np.float32), axis=1)
        chosen[sessions] = candidates[np.arange(m), best]
        # how much they like it is taste alone: the context changes what is picked, not how it is enjoyed
        affinity[sessions] = taste[np.arange(m), best] * np.float32(TASTE_SHARPNESS)
    liking = (affinity - affinity.mean()) / (affinity.std() + 1e-9) if n_sessions else affinity

    # Session start: a day within the user's active window at the local hour, stored in UTC.
    signup = user_model["signup"][session_user]
    window_start = np.maximum(signup, EVENT_START)
    window_days = ((EVENT_END - window_start).astype(np.int64) // 86400) + 1
    day = (window_start.astype("datetime64[D]").astype(np.int64)
           + np.floor(rng.random(n_sessions) * window_days).astype(np.int64))
    offsets = np.array([COUNTRY_UTC_OFFSET_MINUTES[c] for c in COUNTRIES]) * 60
    utc_offset_s = offsets[user_model["country"][session_user]]
    start_s = day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n_sessions) - utc_offset_s
    start_s = np.clip(start_s, window_start.astype(np.int64), EVENT_END.astype(np.int64))

    # What happens in the session follows how much the user likes the item.
    runtime_s = item_model["runtime"][chosen] * 60
    completion = 1 / (1 + np.exp(-(1.6 * liking + 0.6 + rng.normal(size=n_sessions))))
    watch_s = np.round(completion * runtime_s).astype(np.int64)
    searched = rng.random(n_sessions) < 0.15
    completed = completion > 0.9
    liked = rng.random(n_sessions) < 1 / (1 + np.exp(-(1.8 * liking - 2.6)))
    listed = rng.random(n_sessions) < 0.04 + 0.08 / (1 + np.exp(-liking))
    rated = rng.random(n_sessions) < 0.14
    rating = np.clip(np.round(3.2 + 1.1 * liking + rng.normal(scale=0.7, size=n_sessions)), 1, 5)

    # One block of rows per event type; offsets put them in a plausible order in time.
    end_s = start_s + watch_s
    after = end_s + rng.integers(5, 120, size=n_sessions)
    blocks = [  # (type, sessions, time, value, watch_seconds)
        ("search_click", searched, start_s - rng.integers(10, 90, size=n_sessions), None, None),
        ("play", None, start_s, None, watch_s),
        ("complete", completed, end_s, None, None),
        ("like", liked, after, "1", None),
        ("add_to_list", listed, after + 3, None, None),
        ("rating", rated, after + 7, rating.astype(np.int64), None),
    ]
    parts = {key: [] for key in ("session", "type", "time", "value", "watch")}
    for type_index, (_, mask, time, value, watch) in enumerate(blocks):
        idx = np.arange(n_sessions) if mask is None else np.flatnonzero(mask)
        parts["session"].append(idx)
        parts["type"].append(np.full(len(idx), type_index))
        parts["time"].append(time[idx])
        parts["value"].append(np.full(len(idx), -1 if value is None else 1) if not
                              isinstance(value, np.ndarray) else value[idx])
        parts["watch"].append(np.full(len(idx), -1) if watch is None else watch[idx])
    session = np.concatenate(parts["session"])
    event_type = np.concatenate(parts["type"])
    time_s = np.clip(np.concatenate(parts["time"]), EVENT_START.astype(np.int64),
                     EVENT_END.astype(np.int64))
    value = np.concatenate(parts["value"])
    watch = np.concatenate(parts["watch"])
    order = np.lexsort((event_type, time_s))
    session, event_type, time_s, value, watch = (
        a[order] for a in (session, event_type, time_s, value, watch)
    )

    type_names = np.array([b[0] for b in blocks], dtype=object)
    columns = {
        "user_id": user_ids[session_user[session]],
        "item_id": item_ids[chosen[session]],
        "event_type": type_names[event_type],
        "value": _small_int_strings(value),
        "watch_seconds": _small_int_strings(watch),
        "occurred_at": _iso(time_s.astype("datetime64[s]")),
        "device": np.array(DEVICES, dtype=object)[device[session]],
        "country": np.array(COUNTRIES, dtype=object)[user_model["country"][session_user[session]]],
    }
    columns = _add_dirty_rows(rng, columns, len(item_ids), len(user_ids))
    return _frame(RAW_EVENTS, columns)


def _context_matrix(effects: dict, contexts: tuple, options: tuple, default: float) -> np.ndarray:
    """(context, option) array of an effects dict {context: {option: value}}."""
    matrix = np.full((len(contexts), len(options)), default)
    for context, values in effects.items():
        for option, value in values.items():
            matrix[contexts.index(context), options.index(option)] = value
    return matrix


def _add_dirty_rows(rng: np.random.Generator, columns: dict[str, np.ndarray],
                    n_items: int, n_users: int) -> dict[str, np.ndarray]:
    """Corrupt a deterministic ~1.5% of events the way real feeds do.

    Odd casing/whitespace in event_type is changed in place (those rows are valid once
    trimmed and lowercased); every other defect is an extra, corrupted copy of a real row,
    so staging can drop it without losing real signal.
    """
    n = len(columns["user_id"])
    if n == 0:
        return columns
    event_type = columns["event_type"]
    recasings = {"play": (" Play ", "PLAY", "play "), "complete": ("Complete", " COMPLETE"),
                 "like": (" like", "Like"), "rating": ("Rating ",),
                 "add_to_list": ("ADD_TO_LIST",), "search_click": (" Search_Click",)}
    recase = rng.choice(n, size=max(1, round(0.004 * n)), replace=False)
    for row in recase:
        options = recasings[event_type[row]]
        event_type[row] = options[int(rng.integers(len(options)))]

    defects = ("duplicate", "unknown_item", "unknown_user", "bad_timestamp", "negative_watch",
               "rating_out_of_range", "blank_user", "unknown_type")
    per_defect = max(1, round(DIRTY_SHARE * n / len(defects)))
    unknown_item = "i" + "9" * max(8, len(str(n_items)) + 1)
    unknown_user = "u" + "9" * max(8, len(str(n_users)) + 1)
    extra = {name: [] for name in columns}
    for defect in defects:
        rows = rng.choice(n, size=per_defect, replace=True)
        copy = {name: col[rows].copy() for name, col in columns.items()}
        variant = rng.integers(2, size=per_defect)
        if defect == "unknown_item":
            copy["item_id"][:] = unknown_item
        elif defect == "unknown_user":
            copy["user_id"][:] = unknown_user
        elif defect == "bad_timestamp":
            copy["occurred_at"] = np.where(variant == 0, "not-a-date", "2025-13-45").astype(object)
        elif defect == "negative_watch":
            copy["event_type"][:] = "play"
            copy["value"][:] = None
            copy["watch_seconds"] = np.array(
                [f"-{s}" for s in rng.integers(1, 5000, size=per_defect)], dtype=object)
        elif defect == "rating_out_of_range":
            copy["event_type"][:] = "rating"
            copy["watch_seconds"][:] = None
            copy["value"] = np.where(variant == 0, "9", "-1").astype(object)
        elif defect == "blank_user":
            copy["user_id"][:] = "  "
        elif defect == "unknown_type":
            copy["event_type"][:] = "teleport"
        for name in columns:
            extra[name].append(copy[name])

    # Scatter the extra rows through the (time-ordered) feed.
    n_extra = per_defect * len(defects)
    position = np.concatenate([np.arange(n, dtype=float), rng.random(n_extra) * n])
    order = np.argsort(position, kind="stable")
    return {name: np.concatenate([col, *extra[name]])[order] for name, col in columns.items()}


def _iso(times: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(times.astype("datetime64[s]"), unit="s", timezone="UTC").astype(object)


def _int_strings(values: np.ndarray) -> np.ndarray:
    return np.array([str(int(v)) for v in values], dtype=object)


def _small_int_strings(values: np.ndarray) -> np.ndarray:
    """Non-negative ints to shared str objects via a lookup table; -1 means missing."""
    values = np.asarray(values, dtype=np.int64)
    top = int(values.max()) if len(values) else 0
    table = np.array([None] + [str(v) for v in range(max(top, 0) + 1)], dtype=object)
    return table[values + 1]
