"""dbt plugin: builds recwh's SparkSession before dbt-spark's session method asks for one.

dbt discovers modules named `dbt_*` that expose `plugins`. dbt-spark (method: session)
calls `SparkSession.builder.getOrCreate()`, which reuses an existing session and applies
static settings (jars, catalog, metastore) only when it creates one; starting the session
here first gives a plain `dbt build` exactly the settings `recwh` uses.
"""

from dbt.plugins.manager import dbtPlugin

EMBEDDED_TARGETS = {None, "local"}


class RecwhSparkSession(dbtPlugin):
    def initialize(self) -> None:
        if self.project_name != "recwh":
            return
        from dbt.flags import get_flags

        if getattr(get_flags(), "TARGET", None) not in EMBEDDED_TARGETS:
            return  # thrift targets talk to a server that owns its own session
        from recwh.spark import get_spark

        get_spark()


plugins = [RecwhSparkSession]
