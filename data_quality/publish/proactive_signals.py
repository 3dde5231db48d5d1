"""publish.proactive_signals: the candidate of the published signals."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite


def expectations(gate: GateContext) -> list[gxe.Expectation]:
    # no row-count bound: signals come and go with the conditions they describe
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="signal_id"),
        gxe.ExpectColumnValuesToBeUnique(column="signal_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="signal_type"),
        gxe.ExpectColumnValuesToNotBeNull(column="detected_at"),
        # an agent acts on the evidence: a signal without its source references is useless
        gxe.ExpectColumnValuesToNotBeNull(column="evidence"),
    ]


SUITE = GateSuite(
    name="proactive_signals",
    asset_key=("publish", "proactive_signals"),
    query="select signal_id, customer_id, signal_type, detected_at, "
    "cast(evidence as varchar) as evidence from publish.proactive_signals",
    expectations=expectations,
    description="Signals identified, typed, dated and evidenced.",
    requires=("publish.proactive_signals",),
)
