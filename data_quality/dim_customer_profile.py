"""marts.dim_customer_profile: the golden record, one row per customer."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from data_quality.common import E164, EMAIL, row_count_bounds

COUNTRIES = ["US", "CA", "GB", "DE", "FR", "IE", "AU", "NL", "ES", "IT", "MX"]

# 67% of customers have an email in the sample world (digital-only visitors have none); below
# 45% a source lost its emails (blanking half of them lands near 33%).
EMAIL_PRESENT_AT_LEAST = 0.45
# 58% have a phone; below 35% a source lost its phones.
PHONE_PRESENT_AT_LEAST = 0.35


def profile_expectations(gate: GateContext, published_table: str) -> list[gxe.Expectation]:
    """Shared by the golden mart and the published candidate built from it."""
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        gxe.ExpectColumnValuesToMatchRegex(column="customer_id", regex=r"^ct_"),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL),
        gxe.ExpectColumnValuesToMatchRegex(column="phone", regex=E164),
        gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=EMAIL_PRESENT_AT_LEAST),
        gxe.ExpectColumnValuesToNotBeNull(column="phone", mostly=PHONE_PRESENT_AT_LEAST),
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=COUNTRIES),
        # a customer is a person: born within the last 120 years and at least 13 years ago
        gxe.ExpectColumnValuesToBeBetween(column="age_years", min_value=13, max_value=120),
        # the most restrictive consent wins: a null would read as "no statement" downstream
        gxe.ExpectColumnValuesToBeInSet(column="email_opt_in", value_set=[True, False]),
        *row_count_bounds(gate, published_table),
    ]


SUITE = GateSuite(
    name="dim_customer_profile",
    asset_key=("marts", "dim_customer_profile"),
    query="""
        select customer_id, email, phone, country, email_opt_in,
            date_diff('year', birth_date, current_date) as age_years
        from marts.dim_customer_profile
    """,
    expectations=lambda gate: profile_expectations(gate, "customer_profile"),
    description="Golden records: unique ids, formats, presence, ranges, release-over-release size.",
    requires=("marts.dim_customer_profile",),
)
