"""identity.record_customer_ids: identity health of the resolved customers.

The frame has one row per identity record with the size of the customer (cluster) it belongs to,
counted over account records (CRM, shop, billing, support); digital ids have no size.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite

# One person has at most a handful of account records per system (CRM, shop, billing, support;
# duplicates included). A customer above 30 of them is identity over-merging through a chain of
# weak links or a shared identifier. Digital ids are not counted: one visitor may hold dozens.
MAX_CLUSTER_SIZE = 30
# Share of records linked to at least one other record: 0.76 in the sample world. Below 0.15 the
# matcher stopped linking (a model or standardisation break); above 0.99 everything collapsed.
# The lower bound is loose on purpose: enterprises with much anonymous traffic (cookies nobody
# ever signed in from) link a smaller share of their records and are healthy.
LINKED_SHARE = (0.15, 0.99)


def expectations(gate: GateContext) -> list[gxe.Expectation]:
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="customer_id"),
        gxe.ExpectColumnValuesToBeUnique(column="record_uid"),
        gxe.ExpectColumnValuesToBeBetween(
            column="cluster_size", min_value=1, max_value=MAX_CLUSTER_SIZE
        ),
        # the distribution: the median record sits in a cluster of at most 6 (3 in the sample
        # world), 99% of records in clusters of at most 15
        gxe.ExpectColumnMedianToBeBetween(column="cluster_size", min_value=1, max_value=6),
        gxe.ExpectColumnValuesToBeBetween(
            column="cluster_size", min_value=1, max_value=15, mostly=0.99
        ),
        gxe.ExpectColumnMeanToBeBetween(
            column="is_linked", min_value=LINKED_SHARE[0], max_value=LINKED_SHARE[1]
        ),
    ]


SUITE = GateSuite(
    name="record_customer_ids",
    asset_key=("identity", "record_customer_ids"),
    query="""
        select
            record_uid,
            customer_id,
            -- sizes count the records of systems that hold a person's account; digital ids
            -- (cookies, app installs) are left out: a frequent visitor collects many, healthily
            case when not starts_with(record_uid, 'digital:') then
                count(*) filter (where not starts_with(record_uid, 'digital:'))
                    over (partition by customer_id)
            end as cluster_size,
            case when count(*) over (partition by customer_id) > 1 then 1.0 else 0.0 end
                as is_linked
        from identity.record_customer_ids
    """,
    expectations=expectations,
    description="Cluster-size distribution and share of records linked.",
    requires=("identity.record_customer_ids",),
)
