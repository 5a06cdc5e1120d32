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
