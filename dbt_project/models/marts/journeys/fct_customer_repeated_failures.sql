-- One row per customer who had two or more failure journeys (a late or lost delivery, a
-- declined payment) in the 90 days before the data's as-of: the customers the business keeps
-- failing. Built from the current customer_id, so it restates when identities merge.
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

failures as (
    select journeys.*,
    from {{ ref('fct_issue_journeys') }} as journeys, as_of
    where journeys.started_at > as_of.as_of - interval 90 day
        and (
            journeys.anchor_type = 'invoice'
            or (journeys.anchor_type = 'order' and journeys.journey_id in (
                select timeline.journey_id
                from {{ ref('fct_customer_timeline') }} as timeline
                inner join {{ ref('int_journeys__shipments') }} as shipments
                    on timeline.order_id = cast(shipments.order_id as varchar)
                where timeline.source_entity = 'tracking_events'
                    and (shipments.exception_at is not null
                        or coalesce(shipments.delivered_at, shipments.refunded_at, as_of.as_of)
                            > shipments.first_promised_at + interval 1 day)
            ))
        )
)

select
    customer_id,
    count(*) as failure_journeys,
    count(*) filter (where anchor_type = 'order') as delivery_failures,
    count(*) filter (where anchor_type = 'invoice') as payment_failures,
    count(*) filter (where is_open) as open_failures,
    sum(contact_count) as contacts_about_failures,
    min(started_at) as first_failure_at,
    max(started_at) as last_failure_at,
    list(journey_id order by started_at) as journey_ids,
from failures
group by customer_id
having count(*) >= 2
