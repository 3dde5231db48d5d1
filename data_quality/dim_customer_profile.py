"""marts.dim_customer_profile: the golden record, one row per customer."""

from __future__ import annotations

import great_expectations.expectations as gxe
import phonenumbers

from customer_truth.quality.gate import GateContext, GateSuite, presence_floor
from data_quality.common import E164, EMAIL, row_count_bounds

# ISO 3166-1 alpha-2 regions as libphonenumber knows them: any country a customer may live in,
# not only those of one enterprise's markets (standardisation yields a code or null)
COUNTRIES = sorted(phonenumbers.SUPPORTED_REGIONS)

# Email and phone presence are held to the current release: at most 15 points below its share
# (blanking half of the emails drops it by a third or more). Digital-only visitors carry neither,
# and how many there are differs between enterprises, so a first release only has to show that
# contact points were read at all.
PRESENT_FLOOR = 0.10
PRESENT_MAX_DROP = 0.15
TRACKED = ("email", "phone")


def profile_expectations(
    gate: GateContext, suite: str, published_table: str
) -> list[gxe.Expectation]:
    """Shared by the golden mart and the published candidate built from it."""

    def present(column: str) -> float:
        return presence_floor(gate, suite, column, floor=PRESENT_FLOOR, max_drop=PRESENT_MAX_DROP)

    return [
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToBeUnique(column="customer_id"),
        gxe.ExpectColumnValuesToMatchRegex(column="customer_id", regex=r"^ct_"),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex=EMAIL),
        gxe.ExpectColumnValuesToMatchRegex(column="phone", regex=E164),
        gxe.ExpectColumnValuesToNotBeNull(column="email", mostly=present("email")),
        gxe.ExpectColumnValuesToNotBeNull(column="phone", mostly=present("phone")),
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=COUNTRIES),
        # a customer is a person: born within the last 120 years and at least 13 years ago; a
        # few minors with an account are real, a birth date read in the wrong format is not
        gxe.ExpectColumnValuesToBeBetween(
            column="age_years", min_value=13, max_value=120, mostly=0.99
        ),
        # the most restrictive consent wins: a null would read as "no statement" downstream
        # (a value set skips nulls: the null is refused by its own expectation)
        gxe.ExpectColumnValuesToNotBeNull(column="email_opt_in"),
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
    expectations=lambda gate: profile_expectations(
        gate, "dim_customer_profile", "customer_profile"
    ),
    tracked_presence=TRACKED,
    description="Golden records: unique ids, formats, presence, ranges, release-over-release size.",
    requires=("marts.dim_customer_profile",),
)
