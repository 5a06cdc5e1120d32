"""The installed commands as a user runs them: separate processes, one warehouse folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers import run


def test_plain_dbt_and_recwh_share_a_warehouse_across_processes(tmp_path):
    home = tmp_path / "home"
    seeded = run("dbt", "seed", "--profiles-dir", "profiles",
                 "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"), home=home)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr

    # Another process's Spark finds the seed by name: the Hive metastore lives in the home.
    counted = run(sys.executable, "-c", "from recwh.spark import get_spark; "
                  "print(get_spark().table('reference.event_type_weights').count())", home=home)
    assert counted.returncode == 0, counted.stderr
    assert int(counted.stdout.split()[-1]) >= 6

    listed = run("recwh", "tables", "--json", home=home)
    assert listed.returncode == 0, listed.stderr
    tables = {t["name"]: t for t in json.loads(listed.stdout)}
    assert tables["reference.event_type_weights"]["rows"] >= 6
    assert Path(tables["reference.event_type_weights"]["path"]).is_relative_to(home)
    assert (home / "metastore_db").is_dir()

    other = run("recwh", "--home", str(tmp_path / "other"), "tables", "--json", home=home)
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == []
