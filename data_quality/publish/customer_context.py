"""publish.customer_context: the candidate of the published context bundle."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from data_quality.common import row_count_bounds


def expectations(gate: GateContext) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        # every customer gets a bundle and a brief: an agent must never get an empty context
        gxe.ExpectColumnValuesToNotBeNull(column="context"),
        gxe.ExpectColumnValueLengthsToBeBetween(column="context_text", min_value=20),
        *row_count_bounds(gate, "customer_context"),
    ]


SUITE = GateSuite(
    name="customer_context",
    asset_key=("publish", "customer_context"),
    query="select customer_id, cast(context as varchar) as context, context_text "
    "from publish.customer_context",
    expectations=expectations,
    description="One complete context per customer.",
    requires=("publish.customer_context",),
)
