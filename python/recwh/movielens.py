"""MovieLens folders read into the raw tables' shape (same contract as `recwh.demo`).

Three layouts are recognised: ml-100k (u.data, u.item, u.genre, u.user); ml-1m / ml-10m
(`::`-separated ratings.dat, movies.dat, optional users.dat and tags.dat); and ml-latest /
ml-latest-small / ml-20m / ml-25m (ratings.csv, movies.csv, optional tags.csv). Ratings
become "rating" events; the value keeps the file's exact text ("4", "3.5"). Every value
is a `str` or None. Files are parsed with pandas' C reader; only when a check fails is
the file rescanned line by line, to name the exact line in the error.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from recwh.tables import LIST_SEPARATOR, RAW_CATALOG, RAW_COLUMNS, RAW_EVENTS, RAW_USERS

# ml-100k ships u.genre; these are its contents, used only if that file is missing.
ML100K_GENRES = (
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
    "Sci-Fi", "Thriller", "War", "Western",
)
# Genre labels that mean "no genre".
NO_GENRE = {"unknown", "(no genres listed)"}
ML100K_FILES = ("u.data", "u.item")
DAT_FILES = ("ratings.dat", "movies.dat")
LATEST_FILES = ("ratings.csv", "movies.csv")
DAT_SEPARATOR = "::"
TAGS_IN_DESCRIPTION = 5
YEAR_SUFFIX = re.compile(r"\((\d{4})(?:\s*[-\u2013]\s*\d{0,4})?\)\s*$")


class MovieLensError(ValueError):
    """A MovieLens folder that cannot be read; the message names the file and line."""


def read(path: str | Path) -> dict[str, pd.DataFrame]:
    """Events, catalog and users from a MovieLens folder, every value a str or None."""
    folder = Path(path)
    if not folder.exists():
        raise MovieLensError(f"MovieLens path does not exist: {folder}")
    if zipfile.is_zipfile(folder):  # a download from grouplens.org as it is
        return _read_zip(folder)
    if not folder.is_dir():
        raise MovieLensError(f"MovieLens path is not a directory or a zip file: {folder}")
    if all((folder / name).is_file() for name in ML100K_FILES):
        return _read_100k(folder)
    if all((folder / name).is_file() for name in DAT_FILES):
        return _read_dat(folder)
    if all((folder / name).is_file() for name in LATEST_FILES):
        return _read_latest(folder)
    raise MovieLensError(
        f"{folder} is not a MovieLens folder: expected {' and '.join(ML100K_FILES)} "
        f"(ml-100k layout, with u.genre and u.user), {' and '.join(DAT_FILES)} "
        f"(ml-1m / ml-10m layout, with optional users.dat and tags.dat) or "
        f"{' and '.join(LATEST_FILES)} (ml-latest layout, with optional tags.csv)"
    )


def _read_zip(archive: Path) -> dict[str, pd.DataFrame]:
    """The archive's files, at its top level or in its one top folder (ml-1m.zip holds ml-1m/)."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(archive) as files:
        files.extractall(tmp)  # zipfile drops absolute paths and '..' from member names
        root = Path(tmp)
        entries = [entry for entry in root.iterdir() if not entry.name.startswith(("__MACOSX", "."))]
        if len(entries) == 1 and entries[0].is_dir():
            root = entries[0]
        try:
            return read(root)
        except MovieLensError as error:  # name the archive, not the temporary folder
            raise MovieLensError(str(error).replace(str(root), str(archive))) from None


# --- ml-100k -----------------------------------------------------------------------------

def _read_100k(folder: Path) -> dict[str, pd.DataFrame]:
    ratings = _read_delimited(folder / "u.data", "\t", ["user", "item", "rating", "timestamp"])
    events, first_seen = _rating_events(ratings, folder / "u.data", header=False, sep="\t")

    genre_names = _read_genres(folder / "u.genre")
    item_file = folder / "u.item"
    flag_columns = [f"genre_{i}" for i in range(len(genre_names))]
    items = _read_delimited(
        item_file, "|", ["item", "title", "release_date", "video_release", "url", *flag_columns],
        encoding="latin-1",
    )
    flags = items[flag_columns]
    if not flags.isin(["0", "1"]).all(axis=None):
        _fail_at_first(item_file, "|", None, "latin-1", len(flag_columns) + 5,
                       lambda f: all(v in ("0", "1") for v in f[5:]),
                       "genre flags must be 0 or 1")
    flag_matrix = flags.to_numpy() == "1"
    genres = [
        _join(genre_names[j] for j in np.flatnonzero(row) if genre_names[j] not in NO_GENRE)
        for row in flag_matrix
    ]
    year = items["release_date"].str.extract(r"(\d{4})\s*$", expand=False)
    year = year.fillna(items["title"].str.extract(YEAR_SUFFIX, expand=False))
    catalog = _catalog(items["item"], items["title"], genres, year, description=None)

    user_file = folder / "u.user"
    if user_file.is_file():
        people = _read_delimited(user_file, "|", ["user", "age", "gender", "occupation", "zip"])
        user_ids = people["user"]
    else:  # not essential: the users are the raters
        user_ids = first_seen.index.to_series()
    users = _users(user_ids, first_seen, country="US")
    return {RAW_EVENTS: events, RAW_CATALOG: catalog, RAW_USERS: users}


def _read_genres(path: Path) -> list[str]:
    """u.genre lines are `name|index`; the index is the flag column's position."""
    if not path.is_file():
        return list(ML100K_GENRES)
    table = _read_delimited(path, "|", ["name", "index"])
    index = pd.to_numeric(table["index"], errors="coerce")
    if index.isna().any() or sorted(index.astype(int)) != list(range(len(table))):
        raise MovieLensError(f"{path}: genre indices must be 0..{len(table) - 1}, one per line")
    return list(table.sort_values("index", key=lambda s: s.astype(int))["name"])


# --- ml-1m / ml-10m ----------------------------------------------------------------------

def _read_dat(folder: Path) -> dict[str, pd.DataFrame]:
    ratings_file = folder / "ratings.dat"
    ratings = _read_double_colon(ratings_file, ["user", "item", "rating", "timestamp"])
    events, first_seen = _rating_events(ratings, ratings_file, header=False, sep=DAT_SEPARATOR)

    movies = _read_double_colon(folder / "movies.dat", ["item", "title", "genres"])
    description = None
    tags_file = folder / "tags.dat"
    if tags_file.is_file():
        tags = _read_double_colon(tags_file, ["user", "item", "tag", "timestamp"])
        description = movies["item"].map(_top_tags(tags))
    catalog = _movies_catalog(movies["item"], movies["title"], movies["genres"], description)

    user_file = folder / "users.dat"  # ml-1m's raters, all in the US (zip codes); ml-10m has none
    if user_file.is_file():
        people = _read_double_colon(user_file, ["user", "gender", "age", "occupation", "zip"])
        users = _users(people["user"], first_seen, country="US")
    else:
        users = _users(first_seen.index.to_series(), first_seen, country=None)
    return {RAW_EVENTS: events, RAW_CATALOG: catalog, RAW_USERS: users}


def _read_double_colon(path: Path, names: list[str]) -> pd.DataFrame:
    """A headerless `::`-separated file whose every line has exactly len(names) fields.

    pandas' C reader takes one-character separators only, so lines are split on ':' and the
    empty field between each pair is dropped; a field holding ':' itself (a title such as
    "Star Wars: Episode IV") defeats that, and such files (movies, tags) are split in Python.
    """
    encoding = _text_encoding(path)
    split_names = [part for name in names for part in (name, f"_{name}")][:-1]
    try:
        table = pd.read_csv(
            path, sep=":", names=split_names, header=None, dtype=str, keep_default_na=False,
            quoting=csv.QUOTE_NONE, encoding=encoding, engine="c",
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    except (pd.errors.ParserError, ValueError):
        table = None
    # Surplus fields on every line turn into an index instead of an error, so check for that too.
    if (table is not None and isinstance(table.index, pd.RangeIndex) and not table.isna().any(axis=None)
            and (table[split_names[1::2]] == "").all(axis=None)):
        return table[names].reset_index(drop=True)
    with open(path, newline="", encoding=encoding) as handle:
        rows = [text.split(DAT_SEPARATOR) for line in handle if (text := line.rstrip("\r\n")).strip()]
    if any(len(fields) != len(names) for fields in rows):
        _fail_at_first(path, DAT_SEPARATOR, None, encoding, len(names), lambda f: True, "unreadable")
    return pd.DataFrame(rows, columns=names, dtype=object)


def _text_encoding(path: Path) -> str:
    """UTF-8 if the file decodes as such, else latin-1 (ml-1m's titles are latin-1)."""
    try:
        with open(path, encoding="utf-8") as handle:
            for _ in handle:
                pass
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


# --- ml-latest ---------------------------------------------------------------------------

def _read_latest(folder: Path) -> dict[str, pd.DataFrame]:
    ratings_file = folder / "ratings.csv"
    ratings = _read_csv_with_header(ratings_file, ["userId", "movieId", "rating", "timestamp"])
    ratings.columns = ["user", "item", "rating", "timestamp"]
    events, first_seen = _rating_events(ratings, ratings_file, header=True, sep=",")

    movies = _read_csv_with_header(folder / "movies.csv", ["movieId", "title", "genres"])
    description = None
    tags_file = folder / "tags.csv"
    if tags_file.is_file():
        tags = _read_csv_with_header(tags_file, ["userId", "movieId", "tag", "timestamp"])
        description = movies["movieId"].map(_top_tags(tags.rename(columns={"movieId": "item"})))
    catalog = _movies_catalog(movies["movieId"], movies["title"], movies["genres"], description)
    users = _users(first_seen.index.to_series(), first_seen, country=None)
    return {RAW_EVENTS: events, RAW_CATALOG: catalog, RAW_USERS: users}


def _movies_catalog(item_ids: pd.Series, titles: pd.Series, genre_lists: pd.Series,
                    description) -> pd.DataFrame:
    """movies.csv / movies.dat: genres as `A|B|C`, the year at the end of the title."""
    genres = [
        _join(g for g in text.split(LIST_SEPARATOR) if g and g not in NO_GENRE)
        for text in genre_lists
    ]
    year = titles.str.extract(YEAR_SUFFIX, expand=False)
    return _catalog(item_ids, titles, genres, year, description)


def _top_tags(tags: pd.DataFrame) -> pd.Series:
    """'Tags: a, b' per item: its most frequent distinct tags (case-insensitive)."""
    tags = tags.assign(tag=tags["tag"].str.strip().str.lower())
    tags = tags[tags["tag"] != ""]
    counts = tags.groupby(["item", "tag"]).size().rename("n").reset_index()
    counts = counts.sort_values(["item", "n", "tag"], ascending=[True, False, True])
    top = counts.groupby("item").head(TAGS_IN_DESCRIPTION)
    return top.groupby("item", sort=False)["tag"].agg(lambda t: "Tags: " + ", ".join(t))


# --- shared ------------------------------------------------------------------------------

def _rating_events(ratings: pd.DataFrame, path: Path, *, header: bool, sep: str):
    """Rating events plus each user's first rating time (unix seconds, indexed by user)."""
    if ratings.empty:
        raise MovieLensError(f"{path}: no ratings in the file")
    rating = pd.to_numeric(ratings["rating"], errors="coerce")
    if rating.isna().any():
        _fail_at_first(path, sep, header, "utf-8", 4, lambda f: _is_number(f[2]),
                       "rating is not a number")
    seconds = pd.to_numeric(ratings["timestamp"], errors="coerce")
    valid_time = seconds.notna() & np.isfinite(seconds) & (seconds >= 0) & (seconds % 1 == 0)
    if not valid_time.all():
        _fail_at_first(path, sep, header, "utf-8", 4, lambda f: f[3].strip().isdigit(),
                       "timestamp is not a unix time in whole seconds")
    seconds = seconds.astype(np.int64)
    n = len(ratings)
    missing = np.full(n, None, dtype=object)
    events = _frame(RAW_EVENTS, {
        "user_id": ratings["user"].to_numpy(dtype=object),
        "item_id": ratings["item"].to_numpy(dtype=object),
        "event_type": np.full(n, "rating", dtype=object),
        "value": ratings["rating"].to_numpy(dtype=object),
        "watch_seconds": missing,
        "occurred_at": _iso(seconds.to_numpy()),
        "device": missing,
        "country": missing,
    })
    first_seen = seconds.groupby(ratings["user"].to_numpy(), sort=False).min()
    return events, first_seen


def _catalog(item_ids: pd.Series, titles: pd.Series, genres: list[str | None],
             year: pd.Series, description) -> pd.DataFrame:
    n = len(item_ids)
    missing = np.full(n, None, dtype=object)
    if description is None:
        description = missing
    return _frame(RAW_CATALOG, {
        "item_id": item_ids.to_numpy(dtype=object),
        "title": titles.to_numpy(dtype=object),
        "kind": np.full(n, "movie", dtype=object),
        "genres": np.array(genres, dtype=object),
        "directors": missing,
        "cast": missing,
        "release_year": _none_for_missing(year),
        "runtime_min": missing,
        "language": missing,
        "description": _none_for_missing(pd.Series(description, index=item_ids.index)),
    })


def _users(user_ids: pd.Series, first_seen: pd.Series, country: str | None) -> pd.DataFrame:
    n = len(user_ids)
    signup = user_ids.map(first_seen)
    signup_at = np.full(n, None, dtype=object)
    known = signup.notna().to_numpy()
    signup_at[known] = _iso(signup[known].astype(np.int64).to_numpy())
    return _frame(RAW_USERS, {
        "user_id": user_ids.to_numpy(dtype=object),
        "signup_at": signup_at,
        "country": np.full(n, country, dtype=object),
        "plan": np.full(n, None, dtype=object),
    })


def _read_delimited(path: Path, sep: str, names: list[str],
                    encoding: str = "utf-8") -> pd.DataFrame:
    """A headerless file whose every line must have exactly len(names) fields."""
    try:
        table = pd.read_csv(
            path, sep=sep, names=names, header=None, dtype=str, keep_default_na=False,
            quoting=csv.QUOTE_NONE, encoding=encoding, engine="c",
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in names})
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        table = None
    # Short lines are padded with NaN rather than rejected, so check for those too.
    if table is None or table.isna().any(axis=None):
        _fail_at_first(path, sep, None, encoding, len(names), lambda f: True, "unreadable")
    return table


def _read_csv_with_header(path: Path, required: list[str]) -> pd.DataFrame:
    """A CSV with a header naming at least `required`; returns just those columns."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError:
        raise MovieLensError(f"{path}: file is empty (expected header {','.join(required)})")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError):
        table = None
    if table is not None:
        absent = [c for c in required if c not in table.columns]
        if absent:
            raise MovieLensError(
                f"{path}: header lacks {', '.join(absent)} (expected {','.join(required)})"
            )
    if table is None or table.isna().any(axis=None):
        _fail_at_first(path, ",", True, "utf-8", len(_header(path)), lambda f: True, "unreadable")
    return table[required].copy()


def _header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle), [])


def _fail_at_first(path: Path, sep: str, header: bool | None, encoding: str, width: int,
                   line_ok: Callable[[list[str]], bool], problem: str):
    """Rescan `path` to name the first line without `width` fields or failing `line_ok`,
    then raise. Only on the error path: pandas pads short lines silently, so a later
    check is often what notices them.

    `header` True means a CSV with a header line (parsed with the csv module, which knows
    quoting); otherwise lines are split on `sep` as pandas did with quoting off.
    """
    with open(path, newline="", encoding=encoding, errors="strict") as handle:
        try:
            if header:
                reader = csv.reader(handle)
                next(reader, None)
                for fields in reader:
                    if fields:
                        _check_line(path, reader.line_num, fields, width, line_ok, problem)
            else:
                for number, line in enumerate(handle, start=1):
                    text = line.rstrip("\r\n")
                    if text.strip():
                        _check_line(path, number, text.split(sep), width, line_ok, problem)
        except UnicodeDecodeError as error:
            raise MovieLensError(f"{path}: not valid {encoding} text ({error})") from None
        except csv.Error as error:
            raise MovieLensError(f"{path}: malformed file ({error})") from None
    raise MovieLensError(f"{path}: malformed file: {problem}")


def _check_line(path: Path, number: int, fields: list[str], width: int,
                line_ok: Callable[[list[str]], bool], problem: str) -> None:
    if len(fields) != width:
        raise MovieLensError(
            f"{path}, line {number}: expected {width} fields, found {len(fields)}: {fields!r}"
        )
    if not line_ok(fields):
        raise MovieLensError(f"{path}, line {number}: {problem}: {fields!r}")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _join(names) -> str | None:
    joined = LIST_SEPARATOR.join(names)
    return joined or None


def _none_for_missing(values: pd.Series) -> np.ndarray:
    out = values.to_numpy(dtype=object).copy()
    out[pd.isna(values).to_numpy()] = None
    return out


def _frame(table: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({name: columns[name] for name in RAW_COLUMNS[table]}, dtype=object)


def _iso(seconds: np.ndarray) -> np.ndarray:
    stamps = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    return np.datetime_as_string(stamps, unit="s", timezone="UTC").astype(object)
