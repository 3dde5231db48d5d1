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
        gxe.ExpectColumnValuesToNotBeNull(column="context_length"),
        gxe.ExpectColumnValuesToNotBeNull(column="context_text_length"),
        gxe.ExpectColumnValuesToBeBetween(column="context_text_length", min_value=20),
        *row_count_bounds(gate, "customer_context"),
    ]


SUITE = GateSuite(
    name="customer_context",
    asset_key=("publish", "customer_context"),
    # lengths, not the texts: the bundles are kilobytes each (a gigabyte at 100k customers), and
    # the expectations need only whether each is there and how long it is
    query="select customer_id, length(cast(context as varchar)) as context_length, "
    "length(context_text) as context_text_length from publish.customer_context",
    expectations=expectations,
    description="One complete context per customer.",
    requires=("publish.customer_context",),
)
