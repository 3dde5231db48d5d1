-- One row per customer issue with an active repeat-contact incident at the data's as-of
-- (int_journeys__as_of): the customer got in touch 3+ times about one issue within 7 days, and
-- the latest contact did not resolve it.
--   issue: the order a contact names (Attributes.order_number), else its intent; a contact
--     that names neither is about no issue we can tell.
--   contacts: inbound first contacts (not transfers); each conversation's outcome is the
--     resolution its last leg recorded, and only var contact_resolved_values (any case) resolve.
--   began_at: the first contact after the issue was last resolved that is the third within 7
--     days. A later resolving contact ends the incident; one left open is no longer active
--     var repeat_contact_stale_after_days after it began.
with

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

contacts as (
    select * from {{ ref('int_journeys__attributed_contacts') }}
),

-- what each conversation ended with: the resolution its last leg recorded
conversation_outcomes as (
    select
        conversation_id,
        -- a last leg that recorded no resolution (abandoned, contained) resolved nothing
        coalesce(
            list_contains(
                ['{{ var("contact_resolved_values") | join("', '") }}'],  -- noqa: LT05
                lower(arg_max_null(resolution, initiated_at))
            ),
            false
        ) as is_resolved,
        arg_max_null(resolution, initiated_at) as resolution,
    from contacts
    group by conversation_id
),

-- the customer's first contacts about one issue: the order a contact names, else its intent
-- (a contact that names neither is about no issue we can tell)
issue_contacts as (
    select
        contacts.customer_id,
        contacts.contact_id,
        contacts.initiated_at,
        contacts.channel,
        contacts.intent,
        contacts.order_name,
        coalesce('order:' || contacts.order_name, 'intent:' || lower(contacts.intent)) as issue_key,
        outcomes.is_resolved,
        outcomes.resolution,
        -- the third first contact about the issue within 7 days makes it a repeat
        lag(contacts.initiated_at, 2) over issue_order > contacts.initiated_at - interval 7 day
            as is_third_within_7_days,
        lag(contacts.contact_id, 2) over issue_order as streak_first_contact_id,
    from contacts
    inner join conversation_outcomes as outcomes using (conversation_id)
    cross join as_of
    where contacts.is_inbound_first_contact
        and contacts.initiated_at <= as_of.as_of
        and coalesce(contacts.order_name, contacts.intent) is not null
    window issue_order as (
        partition by contacts.customer_id,
            coalesce('order:' || contacts.order_name, 'intent:' || lower(contacts.intent))
        order by contacts.initiated_at, contacts.contact_id
    )
),

-- the last contact that resolved each issue
resolutions as (
    select customer_id, issue_key, max(initiated_at) as last_resolved_at,
    from issue_contacts
    where is_resolved
    group by all
),

-- an issue is open again after the last contact that resolved it: its incident began at the
-- first contact after that resolution which is the third within 7 days, if that was within the
-- staleness window (an incident left unresolved longer is no longer signalled)
repeat_incidents as (
    select
        issue_contacts.customer_id,
        issue_contacts.issue_key,
        min(issue_contacts.initiated_at)
            filter (where issue_contacts.is_third_within_7_days) as began_at,
        arg_min(issue_contacts.streak_first_contact_id, issue_contacts.initiated_at)
            filter (where issue_contacts.is_third_within_7_days) as streak_first_contact_id,
    from issue_contacts
    cross join as_of
    left join resolutions using (customer_id, issue_key)
    where issue_contacts.initiated_at > coalesce(resolutions.last_resolved_at, '-infinity'::timestamptz)
        and issue_contacts.initiated_at
            > as_of.as_of - to_days({{ var('repeat_contact_stale_after_days') }})
    group by all
    having count(*) filter (where issue_contacts.is_third_within_7_days) > 0
)

select
    incidents.customer_id,
    split_part(incidents.issue_key, ':', 1) as issue,
    incidents.issue_key,
    min(issue_contacts.order_name) as order_name,
    arg_max(issue_contacts.intent, issue_contacts.initiated_at) as intent,
    incidents.began_at,
    incidents.streak_first_contact_id,
    min(issue_contacts.initiated_at) as first_contact_at,
    list(issue_contacts.contact_id order by issue_contacts.initiated_at) as contact_ids,
    count(*) as contacts,
    arg_max_null(issue_contacts.resolution, issue_contacts.initiated_at) as last_resolution,
    list(distinct issue_contacts.channel order by issue_contacts.channel) as channels,
from repeat_incidents as incidents
inner join issue_contacts
    on issue_contacts.customer_id = incidents.customer_id
    and issue_contacts.issue_key = incidents.issue_key
    and issue_contacts.initiated_at > incidents.began_at - interval 7 day
group by incidents.customer_id, incidents.issue_key, incidents.began_at,
    incidents.streak_first_contact_id
