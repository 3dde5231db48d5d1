"""marts.bdg_identity_crosswalk: one row per identity-bearing source record."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from data_quality.common import row_count_bounds

SYSTEMS = ["crm", "commerce", "billing", "support", "digital"]
ENTITIES = ["contacts", "customers", "users", "anonymous_id", "user_id"]


def crosswalk_expectations(gate: GateContext, published_table: str) -> list[gxe.Expectation]:
    return [
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=["source_system", "source_entity", "source_record_id"]
        ),
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="match_rule"),
        gxe.ExpectColumnValuesToBeInSet(column="source_system", value_set=SYSTEMS),
        gxe.ExpectColumnValuesToBeInSet(column="source_entity", value_set=ENTITIES),
        # a model score is a probability; deterministic links carry none
        gxe.ExpectColumnValuesToBeBetween(column="match_score", min_value=0, max_value=1),
        # Account records (CRM, shop, billing, support) per customer average about 2.4 in the
        # worlds generated here: near 1 linking stopped, above 8 customers were merged together.
        # Digital ids are not counted (one visitor may hold dozens of cookies).
        gxe.ExpectColumnMeanToBeBetween(column="records_of_customer", min_value=1.05, max_value=8),
        *row_count_bounds(gate, published_table),
    ]


def crosswalk_query(relation: str) -> str:
    return f"""
        select source_system, source_entity, source_record_id, customer_id, match_rule,
            match_score,
            case when source_system <> 'digital' then
                count(*) filter (where source_system <> 'digital') over (partition by customer_id)
            end as records_of_customer
        from {relation}
    """  # noqa: S608 - the relation is a constant of this module


SUITE = GateSuite(
    name="bdg_identity_crosswalk",
    asset_key=("marts", "bdg_identity_crosswalk"),
    query=crosswalk_query("marts.bdg_identity_crosswalk"),
    expectations=lambda gate: crosswalk_expectations(gate, "identity_crosswalk"),
    description="One row per source record, known systems, scores in [0, 1], link density.",
    requires=("marts.bdg_identity_crosswalk",),
)
