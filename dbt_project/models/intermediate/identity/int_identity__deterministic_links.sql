-- One row per strong-identifier link between two identity records (record_uid_l, record_uid_r,
-- rule): a record that carries another record's own id (a Zendesk external_id or Stripe
-- metadata naming a CRM contact, a Segment userId or Stripe metadata naming a Shopify
-- customer), an anonymousId tied to a known visitor (identify, alias, a signed-in message,
-- an order's segment_anonymous_id), or a personal email: one that no two records with
-- incompatible given names or different birth dates carry (int_identity__identifier_usage).
-- Links that a guard refuses are kept with guard_reason set, so the evidence shows them;
-- resolution uses only links whose guard_reason is null.

with

records as (
    select * from {{ ref('int_identity__records') }}
),

personal_emails as (
    select identifier_value as email
    from {{ ref('int_identity__identifier_usage') }}
    where identifier_type = 'email' and not is_shared
),

segment_messages as (
    select * from {{ ref('stg_digital__events') }}
),

orders as (
    select * from {{ ref('stg_commerce__orders') }}
),

-- which visitor an anonymousId was seen as, and how we know
anonymous_visitors as (
    select
        anonymous_id,
        user_id as visitor_id,
        case event_type
            when 'identify' then 'anonymous_id:segment_identify'
            else 'anonymous_id:segment_signed_in_message'
        end as rule,
    from segment_messages
    where anonymous_id is not null and user_id is not null
    union all
    select
        previous_id as anonymous_id,
        user_id as visitor_id,
        'anonymous_id:segment_alias' as rule,
    from segment_messages
    where event_type = 'alias' and previous_id is not null and user_id is not null
    union all
    select
        segment_anonymous_id as anonymous_id,
        cast(commerce_customer_id as varchar) as visitor_id,
        'anonymous_id:order_note_attribute' as rule,
    from orders
    where segment_anonymous_id is not null and commerce_customer_id is not null
),

-- an anonymousId seen as two different visitors is a shared device: it links no one
shared_devices as (
    select anonymous_id
    from anonymous_visitors
    group by all
    having count(distinct visitor_id) > 1
),

-- (carrier record, id it carries, rule); the owner of an id is the record that IS it
carried as (
    select
        record_uid,
        'crm_contact_id' as id_type,
        crm_contact_id as id_value,
        case source_system
            when 'support' then 'crm_contact_id:zendesk_external_id'
            when 'billing' then 'crm_contact_id:stripe_metadata'
            else 'crm_contact_id:' || source_system
        end as rule,
        source_system = 'crm' as is_owner,
        cast(null as varchar) as guard_reason,
    from records
    where crm_contact_id is not null
    union all
    select
        record_uid,
        'commerce_customer_id' as id_type,
        cast(commerce_customer_id as varchar) as id_value,
        case source_system
            when 'digital' then 'commerce_customer_id:segment_user_id'
            when 'billing' then 'commerce_customer_id:stripe_metadata'
            else 'commerce_customer_id:' || source_system
        end as rule,
        source_system = 'commerce' as is_owner,
        cast(null as varchar) as guard_reason,
    from records
    where commerce_customer_id is not null
    union all
    -- a userId record owns its value; anonymousIds seen as that visitor carry it
    select
        record_uid,
        'user_id' as id_type,
        user_id as id_value,
        'user_id:segment' as rule,
        true as is_owner,
        cast(null as varchar) as guard_reason,
    from records
    where source_system = 'digital' and source_entity = 'user_id'
    union all
    select distinct
        records.record_uid,
        'user_id' as id_type,
        visitors.visitor_id as id_value,
        visitors.rule,
        false as is_owner,
        case when shared_devices.anonymous_id is not null then 'shared_device' end as guard_reason,
    from anonymous_visitors as visitors
    inner join records
        on records.source_system = 'digital'
        and records.source_entity = 'anonymous_id'
        and records.source_record_id = visitors.anonymous_id
    left join shared_devices on visitors.anonymous_id = shared_devices.anonymous_id
    where visitors.rule <> 'anonymous_id:order_note_attribute'
    union all
    select distinct
        records.record_uid,
        'commerce_customer_id' as id_type,
        visitors.visitor_id as id_value,
        visitors.rule,
        false as is_owner,
        case when shared_devices.anonymous_id is not null then 'shared_device' end as guard_reason,
    from anonymous_visitors as visitors
    inner join records
        on records.source_system = 'digital'
        and records.source_entity = 'anonymous_id'
        and records.source_record_id = visitors.anonymous_id
    left join shared_devices on visitors.anonymous_id = shared_devices.anonymous_id
    where visitors.rule = 'anonymous_id:order_note_attribute'
    union all
    -- an email of one person: every record carrying it is that person (a family email, carried
    -- under two given names, is shared and links nothing here)
    select
        records.record_uid,
        'email' as id_type,
        records.email as id_value,
        'email:personal' as rule,
        false as is_owner,
        cast(null as varchar) as guard_reason,
    from records
    inner join personal_emails on records.email = personal_emails.email
),

-- one id value carried by many records of one system is a default or a typo, not a person
overused as (
    select carried.id_type, carried.id_value
    from carried
    inner join records using (record_uid)
    -- many devices of one visitor are normal; many CRM or Shopify records naming one id are not
    where not carried.is_owner and carried.rule not like 'anonymous_id:%'
      and carried.id_type in ('crm_contact_id', 'commerce_customer_id')
    group by carried.id_type, carried.id_value, records.source_system
    having count(distinct carried.record_uid) > {{ var('identity_strong_id_max_carriers') }}
),

-- every carrier links to the owner (or, when the owner is not in the data, to the first
-- carrier): a star per id value instead of every pair
anchors as (
    select
        id_type,
        id_value,
        coalesce(min(record_uid) filter (where is_owner), min(record_uid)) as anchor_uid,
    from carried
    group by all
),

links as (
    select
        least(carried.record_uid, anchors.anchor_uid) as record_uid_l,
        greatest(carried.record_uid, anchors.anchor_uid) as record_uid_r,
        carried.rule,
        carried.id_value as identifier_value,
        coalesce(
            carried.guard_reason,
            case when overused.id_value is not null then 'strong_id_overused' end
        ) as guard_reason,
    from carried
    inner join anchors
        on carried.id_type = anchors.id_type
        and carried.id_value = anchors.id_value
    left join overused
        on carried.id_type = overused.id_type
        and carried.id_value = overused.id_value
    where carried.record_uid <> anchors.anchor_uid
)

select
    record_uid_l,
    record_uid_r,
    rule,
    min(identifier_value) as identifier_value,
    min(guard_reason) as guard_reason,
from links
group by all
