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
TINY_WAREHOUSE = "tiny_warehouse"
# The two longest units (each a quarter to a half of the suite's work), started first, one per
# worker, so that the short modules fill in around them instead of one of them running last.
LONGEST_UNITS = ("test_end_to_end", TINY_WAREHOUSE)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (a module stays on one worker, its module fixtures built once), with the
    tiny_warehouse modules as one unit and the longest units first. (xdist's loadgroup marks do
    not group under pytest 9.2.) Any other --dist keeps xdist's own scheduler."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    def priority(unit) -> tuple[int, int]:
        """The longest units first, then xdist's own order: most tests first."""
        scope, tests = unit
        name = Path(scope).stem  # a module's name, or TINY_WAREHOUSE
        return (LONGEST_UNITS.index(name) if name in LONGEST_UNITS else len(LONGEST_UNITS), -len(tests))

    class ModuleScheduling(LoadScopeScheduling):
        is_ordered = False

        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return TINY_WAREHOUSE if Path(module).stem in TINY_WAREHOUSE_MODULES else module

        def _assign_work_unit(self, node) -> None:
            if not self.is_ordered:  # the first assignment: the queue is complete
                self.is_ordered = True
                queue = sorted(self.workqueue.items(), key=priority)
                self.workqueue.clear()
                self.workqueue.update(queue)
            super()._assign_work_unit(node)

    return ModuleScheduling(config, log)
