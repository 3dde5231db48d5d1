-- Issue-journey metrics by day the journey started (UTC) and topic: how many journeys, how
-- many contacts and channel switches the customer needed, and how long resolution took.
select
    cast(started_at as date) as started_date,
    anchor_type,
    topic,
    count(*) as journeys,
    count(*) filter (where is_open) as open_journeys,
    sum(contact_count) as contacts,
    round(avg(contact_count), 3) as average_contacts_per_journey,
    count(*) filter (where channel_switches > 0) as journeys_with_channel_switch,
    round(count(*) filter (where channel_switches > 0) / count(*), 4) as channel_switch_rate,
    round(avg(channel_switches), 3) as average_channel_switches,
    round(avg(hours_to_resolution), 2) as average_hours_to_resolution,
    round(median(hours_to_resolution), 2) as median_hours_to_resolution,
from {{ ref('fct_issue_journeys') }}
group by all
