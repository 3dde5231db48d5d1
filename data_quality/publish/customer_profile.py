"""publish.customer_profile: the candidate of the published profile (suppressed, redacted)."""

from __future__ import annotations

from customer_truth.quality.gate import GateSuite
from data_quality.dim_customer_profile import TRACKED, profile_expectations

SUITE = GateSuite(
    name="customer_profile",
    asset_key=("publish", "customer_profile"),
    query="""
        select customer_id, email, phone, country, email_opt_in,
            date_diff('year', birth_date, current_date) as age_years
        from publish.customer_profile
    """,
    expectations=lambda gate: profile_expectations(gate, "customer_profile", "customer_profile"),
    tracked_presence=TRACKED,
    description="As the golden mart, on what is about to be published.",
    requires=("publish.customer_profile",),
)
