"""`recwh stream`: event files into raw.events, exactly once, with every line accounted for.

The fuzz test streams in-process on the session warehouse and checks, after a real dbt
build, that each line either loaded or landed in quarantine with the expected reason. The
kill -9 test is the one place a separate process is the point.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import time
from collections import Counter

import pandas as pd
import pytest
from helpers import run, start, stop, tail

from recwh.errors import RecwhError

from recwh.pipeline import dbt
from recwh.stream import checkpoint_location, stream_events
from recwh.tables import RAW_CATALOG, RAW_COLUMNS, RAW_EVENTS, RAW_USERS
from recwh.warehouse import delta_table, event_accounting, write_raw

COLUMNS = RAW_COLUMNS[RAW_EVENTS]
USERS = [f"fz-u{i}" for i in range(5)]
ITEMS = [f"fz-i{i}" for i in range(5)]
ANY = "any"  # a line whose outcome the test does not pin down, only that it is accounted for


def fixture_frames() -> dict[str, pd.DataFrame]:
    """Known users and items for the fuzz events, under a source of their own."""
    users = pd.DataFrame({"user_id": USERS, "signup_at": "2024-01-01 00:00:00", "country": "US", "plan": "basic"})
    catalog = pd.DataFrame({c: None for c in RAW_COLUMNS[RAW_CATALOG]}, index=range(len(ITEMS)))
    catalog["item_id"], catalog["title"], catalog["runtime_min"] = ITEMS, "A title", "100"
    event = {c: None for c in COLUMNS} | {"user_id": "fz-u0", "item_id": "fz-i0", "event_type": "like",
                                          "occurred_at": "2023-01-01 00:00:00"}
    return {RAW_EVENTS: pd.DataFrame([event]), RAW_CATALOG: catalog, RAW_USERS: users}


class Fuzz:
    """Event lines of every kind, each with the quarantine reason it must get (None: loaded)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = 0
        self.valid: list[dict] = []

    def event(self, **changes) -> dict:
        self.clock += 1  # a distinct time per event: only deliberate copies are duplicates
        kind = self.rng.choice(["play", "like", "rating", "complete"])
        event = {
            "user_id": self.rng.choice(USERS), "item_id": self.rng.choice(ITEMS), "event_type": kind,
            "value": str(self.rng.randint(1, 5)) if kind == "rating" else None,
            "watch_seconds": str(self.rng.randint(1, 5000)) if kind == "play" else None,
            "occurred_at": f"2025-03-01 00:{self.clock // 60 % 60:02d}:{self.clock % 60:02d}",
            "device": "tv", "country": "US",
        }
        if self.clock >= 3600:
            raise AssertionError("the fuzz ran out of distinct timestamps")
        return event | changes

    def line(self, fmt: str) -> tuple[bytes, str | None]:
        kind = self.rng.choices(
            ["valid", "duplicate", "truncated", "bad_encoding", "wrong_types", "huge", "future",
             "unknown_user", "unknown_item", "missing_user", "negative", "rating", "event_type", "not_object",
             "field_count"],
            weights=[30, 6, 6, 5, 5, 5, 4, 4, 4, 2, 2, 3, 2, 2, 3],
        )[0]
        if kind == "duplicate" and self.valid:
            return self.render(self.rng.choice(self.valid), fmt), "duplicate"
        if kind in ("valid", "duplicate"):
            event = self.event()
            self.valid.append(event)
            return self.render(event, fmt), None
        if kind == "truncated":
            text = self.render(self.event(), fmt)
            # JSON without its closing brace, CSV without its last field(s): never parseable
            cut = self.rng.randint(1, len(text) - 2) if fmt == "json" else text.rindex(b",")
            return text[:cut], "malformed"
        if kind == "bad_encoding":
            text = self.render(self.event(), fmt)
            at = self.rng.randint(1, len(text) - 2)
            return text[:at] + self.rng.choice([b"\xff\xfe", b"\xe9", b"\xc3\x28", b"\x80"]) + text[at:], "malformed"
        if kind == "wrong_types":
            if fmt == "json":
                return self.rng.choice([
                    (json.dumps(self.event(user_id=7)).encode(), "unknown user_id"),
                    (json.dumps(self.event(item_id={"id": 1})).encode(), "unknown item_id"),
                    (json.dumps(self.event(event_type="rating", value="five")).encode(), "rating out of range"),
                    (json.dumps(self.event(occurred_at=True)).encode(), "bad timestamp"),
                    (json.dumps(self.event(watch_seconds=[1, 2])).encode(), ANY),
                    (json.dumps(self.event(occurred_at=1740787200)).encode(), ANY),
                ])
            return self.render(self.event(occurred_at="yesterday"), fmt), "bad timestamp"
        if kind == "huge":
            return self.rng.choice([
                (self.render(self.event(event_type="play", watch_seconds="1e308"), fmt), "watch_seconds out of range"),
                (self.render(self.event(event_type="play", watch_seconds="NaN"), fmt), "watch_seconds out of range"),
                (self.render(self.event(user_id="u" * 100_000), fmt), "unknown user_id"),
                (self.render(self.event(event_type="rating", value="1e400"), fmt), "rating out of range"),
                (self.render(self.event(watch_seconds="9" * 400), fmt), ANY),
            ])
        if kind == "future":
            return self.render(self.event(occurred_at="2999-12-31 23:59:59"), fmt), "bad timestamp"
        if kind == "unknown_user":
            return self.render(self.event(user_id="nobody"), fmt), "unknown user_id"
        if kind == "unknown_item":
            return self.render(self.event(item_id="nothing"), fmt), "unknown item_id"
        if kind == "missing_user":
            return self.render(self.event(user_id="  "), fmt), "missing user_id"
        if kind == "negative":
            return self.render(self.event(event_type="play", watch_seconds="-3"), fmt), "negative watch_seconds"
        if kind == "rating":
            return self.render(self.event(event_type="rating", value="99"), fmt), "rating out of range"
        if kind == "event_type":
            return self.render(self.event(event_type="teleport"), fmt), "unknown event_type"
        if kind == "not_object" and fmt == "json":
            return self.rng.choice([b"[1, 2]", b"42", b'"play"', b"null", b"}{"]), "malformed"
        # a CSV row with too many fields, or an unclosed quote
        text = self.render(self.event(), "csv")
        return self.rng.choice([text + b",extra", b'"' + text]), "malformed"

    def render(self, event: dict, fmt: str) -> bytes:
        if fmt == "json":
            return json.dumps({k: v for k, v in event.items() if v is not None}).encode()
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow([event[c] for c in COLUMNS])
        return out.getvalue().encode()

    def file(self, fmt: str, lines: int, newline: bytes = b"\n") -> tuple[bytes, list[str | None]]:
        body, reasons = [b",".join(c.encode() for c in COLUMNS)] if fmt == "csv" else [], []
        for _ in range(lines):
            if self.rng.random() < 0.05:
                body.append(self.rng.choice([b"", b"   "]))  # blank lines are skipped, not received
            text, reason = self.line(fmt)
            body.append(text)
            reasons.append(reason)
        return newline.join(body) + newline, reasons


def test_fuzzed_event_files_are_all_accounted_for(spark, tmp_path):
    write_raw(spark, fixture_frames(), source="stream-test-fixture")
    fuzz = Fuzz(seed=11)
    landing = tmp_path / "landing"
    landing.mkdir()
    expected: list[str | None] = []
    for number, (fmt, newline) in enumerate([("json", b"\n"), ("csv", b"\n"), ("jsonl", b"\n"),
                                             ("csv", b"\r\n"), ("json", b"\n")]):
        content, reasons = fuzz.file("json" if fmt.startswith("json") else "csv", 40, newline)
        (landing / f"events-{number}.{fmt}").write_bytes(content)
        expected += reasons
    (landing / "events-5.json").write_bytes(b"")  # an empty file
    (landing / "notes.txt").write_bytes(b"not an event file\n")  # ignored: not .json/.jsonl/.csv
    expected_reasons = Counter(r for r in expected if r != ANY)

    reports = stream_events(spark, landing, once=True, max_files_per_batch=2)

    assert sum(r.received for r in reports) == len(expected)
    assert sum(r.malformed for r in reports) == expected_reasons["malformed"]
    # tests of these models run in the end-to-end build; here only the rows matter
    dbt("build", "--select", "+quarantined_rows", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
    accounting = event_accounting(spark, "stream:%")
    assert accounting.received == len(expected)
    assert accounting.balanced, accounting
    unpinned = expected.count(ANY)
    assert expected_reasons[None] <= accounting.loaded <= expected_reasons[None] + unpinned
    for reason, count in expected_reasons.items():
        if reason is not None:
            got = accounting.quarantined.get(reason, 0)
            assert count <= got <= count + unpinned, (reason, accounting)
    assert {"malformed", "duplicate", "unknown user_id", "unknown item_id", "bad timestamp",
            "watch_seconds out of range"} <= set(accounting.quarantined)
    malformed = spark.table("marts.quarantined_rows").where("reason = 'malformed' and source_name like 'stream:%'")
    assert malformed.where("raw_record is null or raw_record = ''").isEmpty()

    # A rerun finds nothing new: the checkpoint remembers every file.
    assert stream_events(spark, landing, once=True) == []
    assert spark.table(RAW_EVENTS).where("_source like 'stream:%'").count() == len(expected)


def test_missing_landing_folder_is_a_clear_error(spark, tmp_path):
    with pytest.raises(RecwhError, match="nowhere does not exist") as error:
        stream_events(spark, tmp_path / "nowhere", once=True)
    assert "--landing" in error.value.hint


def test_kill_9_mid_stream_then_rerun_loads_every_line_once(tmp_path):
    home = tmp_path / "home"
    landing = home / "landing" / "events"
    landing.mkdir(parents=True)
    fuzz = Fuzz(seed=3)
    expected = []
    for number in range(5):
        events = [fuzz.event() for _ in range(6)]
        fmt = "json" if number % 2 else "csv"
        lines = [fuzz.render(e, fmt) for e in events]
        header = [",".join(COLUMNS).encode()] if fmt == "csv" else []
        (landing / f"part-{number}.{fmt}").write_bytes(b"\n".join(header + lines) + b"\n")
        expected += [tuple(e[c] for c in COLUMNS) for e in events]

    log = tmp_path / "stream.log"
    process = start("recwh", "stream", "--max-files-per-batch", "1", "--interval", "0.5", home=home, log=log)
    try:
        first_commit = checkpoint_location(home) / "commits" / "0"
        deadline = time.monotonic() + 300
        while not first_commit.exists():
            assert process.poll() is None, tail(log)
            assert time.monotonic() < deadline, f"no batch committed:\n{tail(log)}"
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGKILL)  # the python CLI and its JVM, mid-way
        process.wait()
    finally:
        stop(process)
    landed_before = len(_raw_events(home))
    assert 0 < landed_before < len(expected), "the kill should land between the first and last batch"

    result = run("recwh", "stream", "--once", home=home)
    assert result.returncode == 0, result.stdout + result.stderr

    rows = _raw_events(home)
    assert Counter(rows) == Counter(expected)  # every event, each exactly once


def _raw_events(home) -> list[tuple]:
    frame = delta_table(RAW_EVENTS, home).to_pandas(columns=COLUMNS)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False)]
