"""dbt-project-evaluator's rules, checked on dbt's manifest.

The package itself (hub.getdbt.com / GitHub) cannot be installed on machines without
those hosts, and it evaluates by building models in the warehouse; these are its
documented default rules (https://dbt-labs.github.io/dbt-project-evaluator/latest/rules/)
over `dbt parse`'s manifest.json, with its default thresholds. Each function returns the
violations as (rule, node) pairs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import PurePosixPath

MODEL_FANOUT_THRESHOLD = 3  # models_fanout_threshold: direct leaf children of one model
TOO_MANY_JOINS_THRESHOLD = 7  # too_many_joins_threshold: direct parents of one model
CHAINED_VIEWS_THRESHOLD = 4  # chained_views_threshold: views in a row
PREFIXES = {"staging": ("stg_",), "intermediate": ("int_",), "marts": ("fct_", "dim_")}
# A table named in SQL without ref() or source(): `from schema.table` / `join schema.table`.
HARD_CODED = re.compile(r"\b(?:from|join)\s+`?[a-z_][\w]*`?\.`?[a-z_][\w]*`?", re.IGNORECASE)


class Project:
    def __init__(self, manifest: dict, project: str = "recwh") -> None:
        nodes = manifest["nodes"]
        self.models = {uid: n for uid, n in nodes.items()
                       if n["resource_type"] == "model" and n["package_name"] == project}
        self.sources = {uid: s for uid, s in manifest["sources"].items() if s["package_name"] == project}
        self.tests = [n for n in nodes.values() if n["resource_type"] == "test"]
        self.exposures = [e for e in manifest["exposures"].values() if e["package_name"] == project]
        self.parents = {uid: list(dict.fromkeys(n["depends_on"]["nodes"])) for uid, n in self.models.items()}
        self.children: dict[str, list[str]] = defaultdict(list)
        for uid, parents in self.parents.items():
            for parent in parents:
                self.children[parent].append(uid)

    def name(self, uid: str) -> str:
        if uid in self.sources:
            return f"{self.sources[uid]['source_name']}.{self.sources[uid]['name']}"
        return uid.split(".")[-1]  # models, seeds

    def model_type(self, uid: str) -> str:
        """By folder, as the package does: the nearest of staging / intermediate / marts."""
        folders = PurePosixPath(self.models[uid]["original_file_path"]).parts[:-1]
        return next((f for f in reversed(folders) if f in PREFIXES), "other")

    def model_parents(self, uid: str) -> list[str]:
        return [p for p in self.parents[uid] if p in self.models]

    def source_parents(self, uid: str) -> list[str]:
        return [p for p in self.parents[uid] if p in self.sources]

    def model_children(self, uid: str) -> list[str]:
        return [c for c in self.children[uid] if c in self.models]

    # Modeling ---------------------------------------------------------------------------

    def direct_join_to_source(self):
        return {("direct_join_to_source", self.name(m)) for m in self.models
                if self.source_parents(m) and self.model_parents(m)}

    def marts_or_intermediate_dependent_on_source(self):
        return {("marts_or_intermediate_dependent_on_source", self.name(m)) for m in self.models
                if self.model_type(m) in ("intermediate", "marts") and self.source_parents(m)}

    def source_fanout(self):
        return {("source_fanout", self.name(s)) for s in self.sources if len(self.model_children(s)) > 1}

    def multiple_sources_joined(self):
        return {("multiple_sources_joined", self.name(m)) for m in self.models if len(self.source_parents(m)) > 1}

    def staging_dependent_on_staging(self):
        return {("staging_dependent_on_staging", self.name(m)) for m in self.models
                if self.model_type(m) == "staging" and any(self.model_type(p) == "staging" for p in self.model_parents(m))}

    def staging_dependent_on_marts_or_intermediate(self):
        return {("staging_dependent_on_marts_or_intermediate", self.name(m)) for m in self.models
                if self.model_type(m) == "staging"
                and any(self.model_type(p) in ("intermediate", "marts") for p in self.model_parents(m))}

    def model_fanout(self):
        leaves = {m for m in self.models if not self.model_children(m)}
        return {("model_fanout", self.name(m)) for m in self.models
                if len([c for c in self.model_children(m) if c in leaves]) > MODEL_FANOUT_THRESHOLD}

    def rejoining_of_upstream_concepts(self):
        """parent -> child and parent -> middle -> child, where middle feeds nothing but child."""
        found = set()
        for child in self.models:
            parents = set(self.model_parents(child))
            for middle in parents:
                if self.model_children(middle) == [child] and parents & set(self.model_parents(middle)):
                    found.add(("rejoining_of_upstream_concepts", self.name(middle)))
        return found

    def root_models(self):
        return {("root_models", self.name(m)) for m in self.models if not self.parents[m]}

    def unused_sources(self):
        return {("unused_sources", self.name(s)) for s in self.sources if not self.children[s]}

    def hard_coded_references(self):
        found = set()
        for m, node in self.models.items():
            code = re.sub(r"\{\{.*?\}\}|\{#.*?#\}|--[^\n]*", " ", node["raw_code"], flags=re.DOTALL)
            if HARD_CODED.search(code):
                found.add(("hard_coded_references", self.name(m)))
        return found

    def too_many_joins(self):
        return {("too_many_joins", self.name(m)) for m in self.models
                if len(self.parents[m]) > TOO_MANY_JOINS_THRESHOLD}

    def duplicate_sources(self):
        seen = defaultdict(list)
        for s, source in self.sources.items():
            seen[(source["database"], source["schema"], source["identifier"])].append(s)
        return {("duplicate_sources", self.name(s)) for group in seen.values() if len(group) > 1 for s in group}

    # Performance ------------------------------------------------------------------------

    def chained_views(self):
        def views_above(uid: str) -> int:
            node = self.models[uid]
            if node["config"]["materialized"] != "view":
                return 0
            return 1 + max((views_above(p) for p in self.model_parents(uid)), default=0)
        return {("chained_views", self.name(m)) for m in self.models if views_above(m) > CHAINED_VIEWS_THRESHOLD}

    # Testing ----------------------------------------------------------------------------

    def missing_primary_key_tests(self):
        """A model needs unique + not_null on one column, or a unique combination of columns."""
        kinds: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        for test in self.tests:
            meta = test.get("test_metadata") or {}
            model = test.get("attached_node")
            if model in self.models and meta.get("name"):
                kinds[(model, test.get("column_name"))].add(meta["name"])
        found = set()
        for m in self.models:
            tested = [names for (model, _), names in kinds.items() if model == m]
            has_key = any({"unique", "not_null"} <= names for names in tested) \
                or any("unique_combination_of_columns" in names for names in tested)
            if not has_key:
                found.add(("missing_primary_key_tests", self.name(m)))
        return found

    def sources_without_freshness(self):
        return {("sources_without_freshness", self.name(s)) for s, source in self.sources.items()
                if not (source.get("freshness") or {}).get("warn_after", {}).get("count")
                and not (source.get("freshness") or {}).get("error_after", {}).get("count")}

    def test_directories(self):
        """A model's tests are defined in a YAML file in the model's own folder."""
        found = set()
        for test in self.tests:
            model = test.get("attached_node")
            if model in self.models and test.get("test_metadata"):
                if PurePosixPath(test["original_file_path"]).parent != PurePosixPath(self.models[model]["original_file_path"]).parent:
                    found.add(("test_directories", test["name"]))
        return found

    # Documentation ----------------------------------------------------------------------

    def undocumented_models(self):
        return {("undocumented_models", self.name(m)) for m, node in self.models.items() if not node["description"].strip()}

    def undocumented_sources(self):
        return {("undocumented_sources", s["source_name"]) for s in self.sources.values()
                if not s["source_description"].strip()}

    def undocumented_source_tables(self):
        return {("undocumented_source_tables", self.name(s)) for s, source in self.sources.items()
                if not source["description"].strip()}

    # Structure --------------------------------------------------------------------------

    def model_naming_conventions(self):
        return {("model_naming_conventions", self.name(m)) for m in self.models
                if self.model_type(m) in PREFIXES and not self.name(m).startswith(PREFIXES[self.model_type(m)])}

    def model_directories(self):
        """Staging models in staging/<their source>/, the others in the folder of their type."""
        found = set()
        for m, node in self.models.items():
            folders = PurePosixPath(node["original_file_path"]).parts[1:-1]
            kind = self.model_type(m)
            if kind == "staging":
                sources = {self.sources[s]["source_name"] for s in self.source_parents(m)}
                if folders[-1:] != tuple(sources)[:1] or len(sources) != 1:
                    found.add(("model_directories", self.name(m)))
            elif kind == "other" or folders[-1] != kind:
                found.add(("model_directories", self.name(m)))
        return found

    # Governance -------------------------------------------------------------------------

    def public_models_without_contract(self):
        return {("public_models_without_contract", self.name(m)) for m, node in self.models.items()
                if node.get("access") == "public" and not node["config"].get("contract", {}).get("enforced")}

    def exposure_parents_materializations(self):
        """An exposure reads tables: no source, and no model that is not a table or incremental."""
        return {("exposure_parents_materializations", e["name"]) for e in self.exposures
                for parent in e["depends_on"]["nodes"]
                if self.models.get(parent, {}).get("config", {}).get("materialized") not in ("table", "incremental")}

    def violations(self) -> set[tuple[str, str]]:
        rules = [getattr(self, name) for name in RULES]
        return set().union(*(rule() for rule in rules))


RULES = (
    "direct_join_to_source", "marts_or_intermediate_dependent_on_source", "source_fanout",
    "multiple_sources_joined", "staging_dependent_on_staging", "staging_dependent_on_marts_or_intermediate",
    "model_fanout", "rejoining_of_upstream_concepts", "root_models", "unused_sources", "hard_coded_references",
    "too_many_joins", "duplicate_sources", "chained_views", "missing_primary_key_tests",
    "sources_without_freshness", "test_directories", "undocumented_models", "undocumented_sources",
    "undocumented_source_tables", "model_naming_conventions", "model_directories",
    "public_models_without_contract", "exposure_parents_materializations",
)
