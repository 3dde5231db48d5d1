"""staging.stg_crm__contacts: one row per CRM contact, typed and deduplicated."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite, presence_floor
from data_quality.common import EMAIL


def expectations(gate: GateContext) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="crm_contact_id"),
        gxe.ExpectColumnValuesToBeUnique(column="crm_contact_id"),
        # a normalised email is lower case and well formed; sources carry typed-in oddities
        # (0.5% in the sample world, more in a careless CRM), but when a tenth fail the
        # normalisation itself broke (case or whitespace left in every value)
        gxe.ExpectColumnValuesToMatchRegex(column="email_normalized", regex=EMAIL, mostly=0.90),
        # How many contacts carry an email is the CRM's own habit (about 90% in the worlds
        # generated here): a release may fall at most 15 points below the current one (an export
        # that lost half its emails falls by 45), and never below 20%.
        gxe.ExpectColumnValuesToNotBeNull(
            column="email",
            mostly=presence_floor(gate, "stg_crm__contacts", "email", floor=0.2, max_drop=0.15),
        ),
        gxe.ExpectColumnValuesToBeInSet(column="is_deleted", value_set=[True, False]),
        gxe.ExpectTableRowCountToBeBetween(min_value=1),
    ]


SUITE = GateSuite(
    name="stg_crm__contacts",
    asset_key=("staging", "stg_crm__contacts"),
    query="select crm_contact_id, email, email_normalized, is_deleted "
    "from staging.stg_crm__contacts",
    expectations=expectations,
    tracked_presence=("email",),
    description="Contact ids unique, emails present (against the current release) and well formed.",
    requires=("staging.stg_crm__contacts",),
)
