-- One row per linked record whose state differs from the state kept when the golden records were
-- last built (int_customer_golden_record_states), and per kept record that is gone: the
-- record's customer now and before, and its state now (null when gone). The golden models
-- rebuild the customers named here (macros/golden_incremental.sql); on a first build or a full
-- refresh every linked record is here.
--
-- A record's state is everything of it the golden records read: its attributes, customer and
-- liveness (not its match score or link time, which move with other records) and its contact
-- points, each with whether another customer states it too.
{%- set kept = golden_kept_state() %}

with

records as (
    -- merged-away and deleted records too: the profile counts and dates every linked record
    select * exclude (match_rule, match_score, linked_at)
    from {{ ref('int_customer_records_linked') }}
),

record_contact_points as (
    select
        record_uid,
        list(
            struct_pack(attribute, value, is_record_primary, is_shared)
            order by attribute, value
        ) as contact_points,
    from {{ ref('int_customer_contact_points') }}
    group by record_uid
),

current_states as (
    select
        records.record_uid,
        records.customer_id,
        hash(records, record_contact_points.contact_points) as record_state,
    from records
    left join record_contact_points using (record_uid)
)

{%- if kept is none %}

select record_uid, customer_id, cast(null as varchar) as previous_customer_id, record_state,
from current_states

{%- else %},

kept_states as (
    select record_uid, customer_id, record_state,
    from {{ kept }}
)

select
    coalesce(current_states.record_uid, kept_states.record_uid) as record_uid,
    current_states.customer_id,
    kept_states.customer_id as previous_customer_id,
    current_states.record_state,
from current_states
full join kept_states using (record_uid)
where current_states.customer_id is distinct from kept_states.customer_id
    or current_states.record_state is distinct from kept_states.record_state

{%- endif %}
