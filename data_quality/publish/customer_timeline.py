"""publish.customer_timeline: the candidate of the published timeline (free text redacted)."""

from __future__ import annotations

from customer_truth.quality.gate import GateSuite
from data_quality.fct_customer_timeline import timeline_expectations, timeline_query

SUITE = GateSuite(
    name="customer_timeline",
    asset_key=("publish", "customer_timeline"),
    query=timeline_query("publish.customer_timeline", with_reason=False),
    expectations=lambda gate: timeline_expectations(
        gate, "customer_timeline", attributed_only=True
    ),
    description="As the timeline mart, on what is about to be published: every event has its "
    "customer.",
    requires=("publish.customer_timeline", "intermediate.int_journeys__as_of"),
)
