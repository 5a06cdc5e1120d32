"""MovieLens readers, on tiny synthetic folders in both layouts (never the real data)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from recwh import movielens
from recwh.movielens import MovieLensError
from recwh.tables import RAW_CATALOG, RAW_COLUMNS, RAW_EVENTS, RAW_USERS

U_DATA = "1\t10\t4\t881250949\n2\t10\t3\t891717742\n1\t20\t5\t878887116\n"
U_GENRE = "unknown|0\nAction|1\nComedy|2\nDrama|3\n\n"
U_ITEM = (
    "10|Café Society (1995)|01-Jan-1995||http://example.org/10|0|1|1|0\n"
    "20|Quiet Days (1987)|||http://example.org/20|0|0|0|1\n"
    "30|unknown|||http://example.org/30|1|0|0|0\n"
)
U_USER = "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n"

RATINGS_CSV = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,964982703\n1,3,3.5,964981247\n7,1,5,964982224\n7,2,0.5,964983815\n"
)
MOVIES_CSV = (
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
    '2,"American President, The (1995)",Comedy|Drama|Romance\n'
    "3,Untitled Thing,(no genres listed)\n"
)
TAGS_CSV = (
    "userId,movieId,tag,timestamp\n"
    "1,1,pixar,1139045764\n7,1,Pixar,1139045765\n7,1,fun,1139045766\n1,1,pixar ,1139045767\n"
    '7,2,"politics, sort of",1139045768\n'
)

# ml-1m: latin-1 titles, some holding ':'; ml-10m adds half-star ratings and tags.dat, drops users.dat.
RATINGS_DAT = "1::1193::5::978300760\n1::661::3::978302109\n6::1193::4::978237008\n"
MOVIES_DAT = (
    "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n"
    "661::James and the Giant Peach (1996)::Animation|Children's|Musical\n"
    "260::Star Wars: Episode IV - A New Hope (1977)::Action|Adventure|Fantasy|Sci-Fi\n"
    "3::Misérables, Les (1995)::(no genres listed)\n"
)
USERS_DAT = "1::F::1::10::48067\n6::F::50::9::55117\n9::M::25::17::61614\n"
TAGS_DAT = "1::1193::classic::1139045764\n6::1193::Classic::1139045765\n6::260::space: the final::1139045766\n"


def write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode("latin-1" if name in ("u.item", "movies.dat") else encoding))
    return folder


@pytest.fixture
def ml100k(tmp_path) -> Path:
    return write(tmp_path / "ml-100k", {"u.data": U_DATA, "u.genre": U_GENRE,
                                        "u.item": U_ITEM, "u.user": U_USER})


@pytest.fixture
def latest(tmp_path) -> Path:
    return write(tmp_path / "ml-latest", {"ratings.csv": RATINGS_CSV,
                                          "movies.csv": MOVIES_CSV, "tags.csv": TAGS_CSV})


@pytest.fixture
def ml1m(tmp_path) -> Path:
    return write(tmp_path / "ml-1m", {"ratings.dat": RATINGS_DAT, "movies.dat": MOVIES_DAT,
                                      "users.dat": USERS_DAT})


def assert_raw_shape(data):
    assert set(data) == {RAW_EVENTS, RAW_CATALOG, RAW_USERS}
    for table, frame in data.items():
        assert list(frame.columns) == RAW_COLUMNS[table]
        for column in frame.columns:
            assert {type(v) for v in frame[column]} <= {str, type(None)}, (table, column)


def test_100k_layout(ml100k):
    data = movielens.read(ml100k)
    assert_raw_shape(data)
    events = data[RAW_EVENTS]
    assert events.iloc[0].to_dict() == {
        "user_id": "1", "item_id": "10", "event_type": "rating", "value": "4",
        "watch_seconds": None, "occurred_at": "1997-12-04T15:55:49Z", "device": None,
        "country": None,
    }
    catalog = data[RAW_CATALOG].set_index("item_id")
    assert catalog.loc["10", "title"] == "Café Society (1995)"  # decoded as latin-1
    assert catalog.loc["10", "genres"] == "Action|Comedy"
    assert catalog.loc["10", "release_year"] == "1995"
    assert catalog.loc["20", "release_year"] == "1987"  # no date: from the title
    assert catalog.loc["30", "genres"] is None  # "unknown" is no genre
    assert catalog.loc["30", "release_year"] is None
    assert (catalog["kind"] == "movie").all() and catalog["directors"].isna().all()
    users = data[RAW_USERS].set_index("user_id")
    assert list(users.index) == ["1", "2", "3"]
    assert users.loc["1", "signup_at"] == "1997-11-07T07:18:36Z"  # earliest rating
    assert users.loc["3", "signup_at"] is None  # never rated
    assert (users["country"] == "US").all() and users["plan"].isna().all()


def test_100k_without_u_user_derives_users(ml100k):
    (ml100k / "u.user").unlink()
    users = movielens.read(str(ml100k))[RAW_USERS]
    assert sorted(users["user_id"]) == ["1", "2"]


def test_latest_layout(latest):
    data = movielens.read(latest)
    assert_raw_shape(data)
    events = data[RAW_EVENTS]
    assert list(events["value"]) == ["4.0", "3.5", "5", "0.5"]  # text exactly as in the file
    assert list(events["user_id"]) == ["1", "1", "7", "7"]
    assert events["occurred_at"].iloc[0] == "2000-07-30T18:45:03Z"
    catalog = data[RAW_CATALOG].set_index("item_id")
    assert catalog.loc["2", "title"] == "American President, The (1995)"
    assert catalog.loc["1", "genres"] == "Adventure|Animation|Children|Comedy|Fantasy"
    assert catalog.loc["3", "genres"] is None
    assert catalog.loc["1", "release_year"] == "1995"
    assert catalog.loc["3", "release_year"] is None
    assert catalog.loc["1", "description"] == "Tags: pixar, fun"  # most frequent first
    assert catalog.loc["2", "description"] == "Tags: politics, sort of"
    assert catalog.loc["3", "description"] is None
    users = data[RAW_USERS].set_index("user_id")
    assert list(users.index) == ["1", "7"]
    assert users.loc["1", "signup_at"] == "2000-07-30T18:20:47Z"
    assert users["country"].isna().all()


def test_latest_without_tags(latest):
    (latest / "tags.csv").unlink()
    assert movielens.read(latest)[RAW_CATALOG]["description"].isna().all()


def test_1m_layout(ml1m):
    data = movielens.read(ml1m)
    assert_raw_shape(data)
    events = data[RAW_EVENTS]
    assert events.iloc[0].to_dict() == {
        "user_id": "1", "item_id": "1193", "event_type": "rating", "value": "5",
        "watch_seconds": None, "occurred_at": "2000-12-31T22:12:40Z", "device": None,
        "country": None,
    }
    assert list(events["item_id"]) == ["1193", "661", "1193"]
    catalog = data[RAW_CATALOG].set_index("item_id")
    assert list(catalog.index) == ["1193", "661", "260", "3"]
    assert catalog.loc["260", "title"] == "Star Wars: Episode IV - A New Hope (1977)"
    assert catalog.loc["3", "title"] == "Misérables, Les (1995)"  # decoded as latin-1
    assert catalog.loc["661", "genres"] == "Animation|Children's|Musical"
    assert catalog.loc["3", "genres"] is None
    assert catalog.loc["260", "release_year"] == "1977"
    assert catalog["description"].isna().all()
    users = data[RAW_USERS].set_index("user_id")
    assert list(users.index) == ["1", "6", "9"]
    assert users.loc["6", "signup_at"] == "2000-12-31T04:30:08Z"
    assert users.loc["9", "signup_at"] is None  # never rated
    assert (users["country"] == "US").all()


def test_10m_layout_has_tags_and_no_users_file(ml1m):
    (ml1m / "users.dat").unlink()
    (ml1m / "ratings.dat").write_text(RATINGS_DAT + "6::260::4.5::978237009\n")
    (ml1m / "tags.dat").write_text(TAGS_DAT)
    data = movielens.read(ml1m)
    assert list(data[RAW_EVENTS]["value"]) == ["5", "3", "4", "4.5"]
    catalog = data[RAW_CATALOG].set_index("item_id")
    assert catalog.loc["1193", "description"] == "Tags: classic"
    assert catalog.loc["260", "description"] == "Tags: space: the final"
    assert catalog.loc["661", "description"] is None
    users = data[RAW_USERS]
    assert sorted(users["user_id"]) == ["1", "6"] and users["country"].isna().all()


@pytest.mark.parametrize("bad_line, problem", [
    ("6::260::4\n", "expected 4 fields"),
    ("6::260::4::978237008::x\n", "expected 4 fields"),
    ("6::260::four::978237008\n", "rating is not a number"),
    ("6::260::4::yesterday\n", "timestamp"),
])
def test_malformed_ratings_dat_names_file_and_line(ml1m, bad_line, problem):
    (ml1m / "ratings.dat").write_text(RATINGS_DAT + bad_line)
    with pytest.raises(MovieLensError, match=rf"ratings\.dat, line 4: {problem}"):
        movielens.read(ml1m)


def test_malformed_movies_dat_names_file_and_line(ml1m):
    (ml1m / "movies.dat").write_text(MOVIES_DAT + "7::No Genres Field (1999)\n")
    with pytest.raises(MovieLensError, match=r"movies\.dat, line 5: expected 3 fields"):
        movielens.read(ml1m)


def test_zip_as_downloaded_reads_like_its_folder(ml1m, tmp_path):
    archive = tmp_path / "ml-1m.zip"
    with zipfile.ZipFile(archive, "w") as files:
        for name in ("ratings.dat", "movies.dat", "users.dat"):
            files.write(ml1m / name, f"ml-1m/{name}")
    from_zip, from_folder = movielens.read(archive), movielens.read(ml1m)
    for table in from_folder:
        pd.testing.assert_frame_equal(from_zip[table], from_folder[table])

    with zipfile.ZipFile(archive, "w") as files:  # files at the top level, one of them broken
        files.writestr("ratings.dat", RATINGS_DAT + "6::260::4\n")
        files.writestr("movies.dat", MOVIES_DAT)
    with pytest.raises(MovieLensError, match=r"ml-1m\.zip/ratings\.dat, line 4: expected 4 fields"):
        movielens.read(archive)


def test_missing_path(tmp_path):
    with pytest.raises(MovieLensError, match="does not exist"):
        movielens.read(tmp_path / "nope")


def test_not_a_directory(tmp_path):
    file = tmp_path / "ratings.csv"
    file.write_text(RATINGS_CSV)
    with pytest.raises(MovieLensError, match="not a directory or a zip file"):
        movielens.read(file)


def test_folder_without_either_layout_names_the_expected_files(tmp_path):
    write(tmp_path / "other", {"movies.csv": MOVIES_CSV})
    with pytest.raises(MovieLensError) as error:
        movielens.read(tmp_path / "other")
    for name in ("u.data", "u.item", "ratings.dat", "movies.dat", "ratings.csv", "movies.csv"):
        assert name in str(error.value)


@pytest.mark.parametrize("bad_line, problem", [
    ("2\t30\t4\n", "expected 4 fields"),
    ("2\t30\t4\t881250949\textra\n", "expected 4 fields"),
    ("2\t30\tfour\t881250949\n", "rating is not a number"),
    ("2\t30\t4\tyesterday\n", "timestamp"),
])
def test_malformed_u_data_names_file_and_line(ml100k, bad_line, problem):
    (ml100k / "u.data").write_text(U_DATA + bad_line)
    with pytest.raises(MovieLensError, match=rf"u\.data, line 4: {problem}"):
        movielens.read(ml100k)


@pytest.mark.parametrize("bad_line, problem", [
    ("7,3,4.0\n", "expected 4 fields"),
    ("7,3,great,964983815\n", "rating is not a number"),
    ("7,3,4.0,2000-01-01\n", "timestamp"),
])
def test_malformed_ratings_csv_names_file_and_line(latest, bad_line, problem):
    (latest / "ratings.csv").write_text(RATINGS_CSV + bad_line)
    with pytest.raises(MovieLensError, match=rf"ratings\.csv, line 6: {problem}"):
        movielens.read(latest)


def test_malformed_u_item_names_file_and_line(ml100k):
    (ml100k / "u.item").write_bytes((U_ITEM + "40|Short Line|||\n").encode("latin-1"))
    with pytest.raises(MovieLensError, match=r"u\.item, line 4: expected 9 fields"):
        movielens.read(ml100k)


def test_movies_csv_with_wrong_header(latest):
    (latest / "movies.csv").write_text("id,name\n1,Toy Story\n")
    with pytest.raises(MovieLensError, match=r"movies\.csv: header lacks movieId, title, genres"):
        movielens.read(latest)


@pytest.mark.parametrize("content", ["", "userId,movieId,rating,timestamp\n"])
def test_empty_ratings_csv(latest, content):
    (latest / "ratings.csv").write_text(content)
    with pytest.raises(MovieLensError, match=r"ratings\.csv: .*(empty|no ratings)"):
        movielens.read(latest)


def test_empty_u_data(ml100k):
    (ml100k / "u.data").write_text("")
    with pytest.raises(MovieLensError, match=r"u\.data: no ratings"):
        movielens.read(ml100k)
