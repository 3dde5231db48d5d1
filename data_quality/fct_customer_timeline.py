"""marts.fct_customer_timeline: one row per event across all systems, attributed or not.

The mart keeps the events no customer could be found for (with the reason); the published
candidate (``publish/customer_timeline.py``) holds only attributed events.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext, GateSuite
from data_quality.common import row_count_bounds

SYSTEMS = [
    "crm",
    "contact_center",
    "digital",
    "commerce",
    "billing",
    "support",
    "logistics",
    # this project's own log of what AI agents did (customer_truth/interaction_log.py)
    "ai_agent",
]


# Share of events of the mart that must reach a customer. Anonymous browsing that nobody ever
# signed in from is legitimately unattributed; less than half placed means identity or the
# attribution paths broke, not that the customers went anonymous.
MART_ATTRIBUTED_AT_LEAST = 0.5
MAX_AGE_DAYS = 40 * 366


def timeline_expectations(
    gate: GateContext, published_table: str, *, attributed_only: bool
) -> list[gxe.Expectation]:
    """Expectations shared by the mart and the published candidate.

    ``attributed_only``: every row must name a customer (the published table); otherwise most
    must, and a row without one must say why (the mart).
    """
    attribution: list[gxe.Expectation]
    if attributed_only:
        attribution = [gxe.ExpectColumnValuesToNotBeNull(column="customer_id")]
    else:
        attribution = [
            gxe.ExpectColumnValuesToNotBeNull(
                column="customer_id", mostly=MART_ATTRIBUTED_AT_LEAST
            ),
            # an event without a customer carries its reason, and only such an event does
            gxe.ExpectColumnValuesToBeInSet(column="reason_matches_attribution", value_set=[True]),
        ]
    return [
        gxe.ExpectColumnValuesToNotBeNull(column="event_id_rank"),
        gxe.ExpectColumnValuesToBeUnique(column="event_id_rank"),
        *attribution,
        gxe.ExpectColumnValuesToNotBeNull(column="occurred_at"),
        gxe.ExpectColumnValuesToNotBeNull(column="event_type"),
        gxe.ExpectColumnValuesToBeInSet(column="source_system", value_set=SYSTEMS),
        # age against the data's own clock (the latest extraction), not the machine's: no extract
        # holds an event after it was taken (a day of clock skew between systems is tolerated),
        # and nothing is 40 years old; outside that a timestamp was read in the wrong unit or
        # zone (epoch seconds as milliseconds land in 1970)
        gxe.ExpectColumnValuesToBeBetween(column="age_days", min_value=-1, max_value=MAX_AGE_DAYS),
        *row_count_bounds(gate, published_table),
    ]


def timeline_query(relation: str, *, with_reason: bool) -> str:
    reason = (
        ", (customer_id is null) = (unattributed_reason is not null) as reason_matches_attribution"
        if with_reason
        else ""
    )
    return f"""
        select
            -- event ids are checked through their dense rank: equal exactly where the ids are,
            -- null exactly where an id is, so "not null" and "unique" mean what they say of the
            -- ids; but GX checks 8-byte integers instead of strings (on a 1M-person world's 22M
            -- events, pandas' duplicate search over the ids took the gate to 15 GiB)
            case when event_id is not null then dense_rank() over (order by event_id) end
                as event_id_rank,
            customer_id, occurred_at, event_type, source_system,
            -- an AI agent's interaction is stamped by the server's clock when it is recorded,
            -- after the latest extraction: its age is against the run's wall clock
            date_diff(
                'day',
                occurred_at,
                case when source_system = 'ai_agent' then now() else as_of.as_of end
            ) as age_days{reason}
        from {relation}
        cross join (select max(as_of) as as_of from intermediate.int_journeys__as_of) as as_of
    """  # noqa: S608 - the relation and columns are constants of this module


SUITE = GateSuite(
    name="fct_customer_timeline",
    asset_key=("marts", "fct_customer_timeline"),
    query=timeline_query("marts.fct_customer_timeline", with_reason=True),
    expectations=lambda gate: timeline_expectations(
        gate, "customer_timeline", attributed_only=False
    ),
    description="Unique events, most attributed and the rest with a reason, known systems, "
    "plausible times.",
    requires=("marts.fct_customer_timeline", "intermediate.int_journeys__as_of"),
)
