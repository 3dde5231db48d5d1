-- Support (Zendesk) metrics by day of ticket creation (UTC), via channel and topic. Versions are
-- only as fine as the extracts (int: stg_support__ticket_versions), so times are upper bounds
-- at the extraction cadence. Definitions (and their sources) are in _journeys__models.yml.
with

tickets as (
    select
        tickets.ticket_id,
        tickets.created_at,
        coalesce(tickets.via_channel, 'unknown') as via_channel,
        coalesce(timeline.intent, 'unknown') as topic,
        tickets.satisfaction_score,
        tickets.ticket_status,
    from {{ ref('stg_support__tickets') }} as tickets
    left join {{ ref('int_journeys__events') }} as timeline
        on timeline.record_key = 'support:tickets:' || tickets.ticket_id
        and timeline.event_type = 'ticket_created'
),

history as (
    select
        ticket_id,
        -- first response: the first version an agent moved past `new` (open, pending, solved)
        min(updated_at) filter (where ticket_status not in ('new')) as first_response_at,
        min(updated_at) filter (where ticket_status in ('solved', 'closed')) as first_solved_at,
        count(*) filter (
            where ticket_status in ('new', 'open', 'pending', 'hold')
                and previous_status in ('solved', 'closed')
        ) as reopenings,
    from {{ ref('stg_support__ticket_versions') }}
    group by ticket_id
)

select
    cast(tickets.created_at as date) as created_date,
    tickets.via_channel,
    tickets.topic,
    count(*) as tickets,
    count(*) filter (where history.first_solved_at is not null) as solved_tickets,
    count(*) filter (where history.reopenings > 0) as reopened_tickets,
    round(count(*) filter (where history.reopenings > 0)
        / nullif(count(*) filter (where history.first_solved_at is not null), 0), 4) as reopen_rate,
    count(*) filter (where tickets.satisfaction_score = 'good') as rated_good,
    count(*) filter (where tickets.satisfaction_score = 'bad') as rated_bad,
    round(count(*) filter (where tickets.satisfaction_score = 'good')
        / nullif(count(*) filter (where tickets.satisfaction_score in ('good', 'bad')), 0), 4)
        as csat_score,
    round(avg(epoch(history.first_response_at - tickets.created_at) / 3600.0), 2)
        as average_hours_to_first_response,
    round(avg(epoch(history.first_solved_at - tickets.created_at) / 3600.0), 2)
        as average_hours_to_resolution,
from tickets
left join history using (ticket_id)
group by all
