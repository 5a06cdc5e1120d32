"""One SparkSession for the whole test run, on a temporary warehouse.

recwh.spark builds the session from environment settings, so the fixture points those at
a temp folder before the session starts; every CLI call in the tests reuses the session.
"""

from __future__ import annotations

import os
from pathlib import Path

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


# These modules share the session-scoped tiny_warehouse: on one worker, it is built once.
TINY_WAREHOUSE_MODULES = {"test_cluster", "test_kill_recovery", "test_serve"}


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (a module stays on one worker, its module fixtures built once), with the
    tiny_warehouse modules as one unit. (xdist's loadgroup marks do not group under pytest 9.2.)
    Any other --dist keeps xdist's own scheduler."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "tiny_warehouse" if Path(module).stem in TINY_WAREHOUSE_MODULES else module

    return ModuleScheduling(config, log)
