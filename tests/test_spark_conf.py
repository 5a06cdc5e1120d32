"""recwh.spark sizes shuffle partitions from the raw input on disk (no Spark needed)."""

from __future__ import annotations

from recwh.spark import MAX_SHUFFLE_PARTITIONS, MIN_SHUFFLE_PARTITIONS, RAW_BYTES_PER_PARTITION, shuffle_partitions


def _raw_file(root, name: str, size: int) -> None:
    path = root / "tables" / "raw.db" / "events" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def test_empty_or_small_warehouse_gets_the_minimum(tmp_path):
    assert shuffle_partitions(tmp_path) == MIN_SHUFFLE_PARTITIONS
    _raw_file(tmp_path, "part-0.parquet", RAW_BYTES_PER_PARTITION)
    assert shuffle_partitions(tmp_path) == MIN_SHUFFLE_PARTITIONS


def test_partitions_grow_with_raw_parquet_and_are_capped(tmp_path):
    _raw_file(tmp_path, "part-0.parquet", 30 * RAW_BYTES_PER_PARTITION)
    _raw_file(tmp_path, "_delta_log.json", 100 * RAW_BYTES_PER_PARTITION)  # not data: not counted
    assert shuffle_partitions(tmp_path) == 30
    _raw_file(tmp_path, "part-1.parquet", 1000 * RAW_BYTES_PER_PARTITION)
    assert shuffle_partitions(tmp_path) == MAX_SHUFFLE_PARTITIONS
