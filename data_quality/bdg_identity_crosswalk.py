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
        # Records per customer averages 2.1 in the sample world: near 1 linking stopped (the
        # bound is loose: many unsigned cookies are many healthy one-record customers), above 8
        # customers were merged together.
        gxe.ExpectColumnMeanToBeBetween(column="records_of_customer", min_value=1.05, max_value=8),
        *row_count_bounds(gate, published_table),
    ]


def crosswalk_query(relation: str) -> str:
    return f"""
        select source_system, source_entity, source_record_id, customer_id, match_rule,
            match_score, count(*) over (partition by customer_id) as records_of_customer
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
