"""marts.bdg_identifier_lookup: every identifier that resolves to a customer."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from customer_truth.retrieval.identifiers import IDENTIFIER_TYPES
from data_quality.common import E164, EMAIL, row_count_bounds

# A person keeps a personal, a work and maybe an old email: 3 is the most seen in the sample
# world. More than 5 distinct emails on one customer is an over-merge.
MAX_EMAILS_PER_CUSTOMER = 5
# a rare person does keep six (one in a thousand identifier rows may belong to one); an
# over-merge of households or a chain shows as many
MORE_THAN_FIVE_AT_MOST = 0.999
# and at least 95% of customers with an email have at most 3 (98% have at most 2 in the worlds
# generated here; other enterprises keep more old addresses)
AT_MOST_THREE_EMAILS_SHARE = 0.95


def lookup_expectations(gate: GateContext, published_table: str) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="identifier_value"),
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToBeInSet(column="identifier_type", value_set=list(IDENTIFIER_TYPES)),
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["identifier_type", "identifier_value", "customer_id"]
        ),
        # formats of the normalised identifiers (the frame nulls other types' values)
        gxe.ExpectColumnValuesToMatchRegex(column="email_value", regex=EMAIL),
        gxe.ExpectColumnValuesToMatchRegex(column="phone_value", regex=E164),
        gxe.ExpectColumnValuesToBeBetween(
            column="customer_email_count",
            min_value=0,
            max_value=MAX_EMAILS_PER_CUSTOMER,
            mostly=MORE_THAN_FIVE_AT_MOST,
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="customer_email_count",
            min_value=0,
            max_value=3,
            mostly=AT_MOST_THREE_EMAILS_SHARE,
        ),
        *row_count_bounds(gate, published_table),
    ]


def lookup_query(relation: str) -> str:
    return f"""
        select identifier_type, identifier_value, customer_id,
            case when identifier_type = 'email' then identifier_value end as email_value,
            case when identifier_type = 'phone' then identifier_value end as phone_value,
            count(*) filter (where identifier_type = 'email')
                over (partition by customer_id) as customer_email_count
        from {relation}
    """  # noqa: S608 - the relation is a constant of this module


SUITE = GateSuite(
    name="bdg_identifier_lookup",
    asset_key=("marts", "bdg_identifier_lookup"),
    query=lookup_query("marts.bdg_identifier_lookup"),
    expectations=lambda gate: lookup_expectations(gate, "identifier_lookup"),
    description="Identifier types, formats, uniqueness; customers with too many emails.",
    requires=("marts.bdg_identifier_lookup",),
)
