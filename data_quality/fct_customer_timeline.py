"""marts.fct_customer_timeline: one row per customer event across all systems."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from data_quality.common import row_count_bounds

SYSTEMS = [
    "crm",
    "contact_center",
    "digital",
    "commerce",
    "billing",
    "support",
    "logistics",
]


def timeline_expectations(gate: GateContext, published_table: str) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="event_id"),
        gxe.ExpectColumnValuesToBeUnique(column="event_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="occurred_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_type"),
        gxe.ExpectColumnValuesToBeInSet(column="source_system", value_set=SYSTEMS),
        # events happen in the past (a day of clock skew between systems is tolerated) and
        # within ten years: anything else is a timestamp parsed in the wrong unit or zone
        gxe.ExpectColumnValuesToBeBetween(column="age_days", min_value=-1, max_value=3650),
        *row_count_bounds(gate, published_table),
    ]


def timeline_query(relation: str) -> str:
    return f"""
        select event_id, customer_id, occurred_at, event_type, source_system,
            date_diff('day', occurred_at, current_timestamp) as age_days
        from {relation}
    """  # noqa: S608 - the relation is a constant of this module


SUITE = GateSuite(
    name="fct_customer_timeline",
    asset_key=("marts", "fct_customer_timeline"),
    query=timeline_query("marts.fct_customer_timeline"),
    expectations=lambda gate: timeline_expectations(gate, "customer_timeline"),
    description="Unique events, known systems, plausible times.",
    requires=("marts.fct_customer_timeline",),
)
