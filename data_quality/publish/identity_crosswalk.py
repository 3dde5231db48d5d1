"""publish.identity_crosswalk: the candidate of the published crosswalk."""

from __future__ import annotations

from customer_truth.quality.gate import GateSuite
from data_quality.bdg_identity_crosswalk import crosswalk_expectations, crosswalk_query

SUITE = GateSuite(
    name="identity_crosswalk",
    asset_key=("publish", "identity_crosswalk"),
    query=crosswalk_query("publish.identity_crosswalk"),
    expectations=lambda gate: crosswalk_expectations(gate, "identity_crosswalk"),
    description="As the crosswalk mart, on what is about to be published.",
    requires=("publish.identity_crosswalk",),
)
