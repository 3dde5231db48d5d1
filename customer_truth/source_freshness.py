"""Source freshness as dbt declares it, measured right after ingestion without a dbt start-up.

The rule lives once, in dbt (``dbt_project/models/staging/_sources.yml``: ``loaded_at_field`` or
``loaded_at_query``, ``warn_after``, ``error_after``); this module reads it from dbt's manifest,
sends the query dbt's ``collect_freshness`` macros send, and takes the verdict from dbt's own
``FreshnessThreshold.status``. ``dbt source freshness`` gives the same answer
(tests/integration/test_source_freshness.py runs both on one warehouse); running it in the job
would cost a third dbt start-up per run (about 7 s) for a few milliseconds of queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
from dbt.artifacts.resources import FreshnessThreshold


@dataclass(frozen=True)
class FreshnessRule:
    """One dbt source table's freshness configuration."""

    source: str  # the dbt source, e.g. "raw"
    table: str  # the source table, e.g. "crm__contacts"
    relation: str  # schema.identifier in the warehouse
    threshold: FreshnessThreshold
    loaded_at_field: str | None
    loaded_at_query: str | None

    def sql(self) -> str:
        """The statement dbt's ``collect_freshness`` (or ``collect_freshness_custom_sql``) sends.
        Every part comes from the dbt project (code), none from data."""
        if self.loaded_at_query is not None:
            return (
                f"with source_query as ({self.loaded_at_query}) "  # noqa: S608 - from the dbt project
                "select (select * from source_query) as max_loaded_at, "
                "current_timestamp as snapshotted_at"
            )
        where = f" where {self.threshold.filter}" if self.threshold.filter else ""
        return (
            f"select max({self.loaded_at_field}) as max_loaded_at, "  # noqa: S608 - from the dbt project
            f"current_timestamp as snapshotted_at from {self.relation}{where}"
        )


@dataclass(frozen=True)
class Freshness:
    rule: FreshnessRule
    max_loaded_at: datetime | None  # None: nothing was ever loaded
    age_seconds: float
    status: str  # dbt's FreshnessStatus: "pass", "warn" or "error"

    def description(self) -> str:
        limits = ", ".join(
            f"{level} after {after.count} {after.period}"
            for level, after in (
                ("warn", self.rule.threshold.warn_after),
                ("error", self.rule.threshold.error_after),
            )
            if after
        )
        if self.max_loaded_at is None:
            return f"{self.status}: nothing loaded yet ({limits})"
        return f"{self.status}: last loaded {self.age_seconds / 3600:.1f} h ago ({limits})"


def freshness_rules(manifest: Mapping[str, Any], source: str) -> dict[str, FreshnessRule]:
    """The tables of dbt source ``source`` that declare a freshness, by table name. A table
    whose freshness is ``null`` (or sets neither threshold) is left out, as dbt skips it."""
    rules = {}
    for node in manifest["sources"].values():
        if node["source_name"] != source or not node.get("freshness"):
            continue
        threshold = FreshnessThreshold.from_dict(node["freshness"])
        if not threshold:  # neither warn_after nor error_after
            continue
        query = node.get("loaded_at_query")
        if query is not None and "{" in query:
            # dbt renders Jinja here; this module sends the text as it stands
            raise ValueError(f"source {source}.{node['name']}: loaded_at_query uses Jinja")
        if query is None and node.get("loaded_at_field") is None:
            raise ValueError(f"source {source}.{node['name']}: freshness without a loaded_at")
        rules[node["name"]] = FreshnessRule(
            source=source,
            table=node["name"],
            relation=f"{node['schema']}.{node['identifier']}",
            threshold=threshold,
            loaded_at_field=node.get("loaded_at_field"),
            loaded_at_query=query,
        )
    return rules


def measure(con: duckdb.DuckDBPyConnection, rule: FreshnessRule) -> Freshness:
    """How old the table's latest load is, and dbt's verdict on it. Nothing loaded reads as
    infinitely old, as in dbt: an error."""
    max_loaded_at, snapshotted_at = con.execute(rule.sql()).fetchall()[0]
    age = (
        (snapshotted_at - max_loaded_at).total_seconds()
        if max_loaded_at is not None
        else float("inf")
    )
    return Freshness(rule, max_loaded_at, age, str(rule.threshold.status(age)))
