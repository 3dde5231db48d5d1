"""publish.identifier_lookup: the candidate of the published identifier lookup."""

from __future__ import annotations

from customer_truth.quality.gate import GateSuite
from data_quality.bdg_identifier_lookup import lookup_expectations, lookup_query

SUITE = GateSuite(
    name="identifier_lookup",
    asset_key=("publish", "identifier_lookup"),
    query=lookup_query("publish.identifier_lookup"),
    expectations=lambda gate: lookup_expectations(gate, "identifier_lookup"),
    description="As the lookup mart, on what is about to be published.",
    requires=("publish.identifier_lookup",),
)
