"""One SparkSession for the whole test run, on a temporary warehouse.

recwh.spark builds the session from environment settings, so the fixture points those at
a temp folder before the session starts; every CLI call in the tests reuses the session.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def warehouse_home(tmp_path_factory):
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="session")
def spark(warehouse_home):
    os.environ["RECWH_HOME"] = str(warehouse_home)
    os.environ["RECWH_MASTER"] = "local[2]"
    os.environ["RECWH_SHUFFLE_PARTITIONS"] = "2"
    os.environ["RECWH_DRIVER_MEMORY"] = "2g"
    from recwh.spark import get_spark

    session = get_spark()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory):
    """A finished pipeline in its own home, built by separate recwh processes.

    The serve and cluster tests start JVMs of their own on it, which the session home's
    Derby lock (held by the `spark` fixture) would refuse.
    """
    from helpers import NO_DATA_TESTS, TINY_ALS, run

    home = tmp_path_factory.mktemp("tiny-warehouse")
    for args in (("demo", "--users", "40", "--items", "30", "--seed", "1", "--events-per-user", "8"),
                 ("run", *TINY_ALS)):
        result = run("recwh", *args, home=home, **NO_DATA_TESTS)
        assert result.returncode == 0, result.stdout + result.stderr
    return home
