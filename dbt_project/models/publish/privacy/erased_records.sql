-- One row per source record (record_uid: system:entity:id, as identity and attribution name
-- them) that belongs to an erased person: the records identity resolved to an erased customer,
-- the events attributed to one or naming one of their own emails or phones, and the CRM
-- Individual account that only erased contacts hold.
-- The warehouse sweep (customer_truth/privacy/warehouse_erasure.py) deletes these records from
-- raw, and every row built from their landing lines, after each publication or blocked gate.
-- A Household or Business account is not the person's and stays. Never published.
with

erased_ids as (
    select customer_id, erasure_request_id,
    from {{ ref('erasure_suppressed_identifiers') }}
    where identifier_type = 'customer_id'
),

person_records as (
    select crosswalk.record_uid, erased_ids.erasure_request_id, 'person_record' as reason,
    from {{ ref('bdg_identity_crosswalk') }} as crosswalk
    inner join erased_ids using (customer_id)
),

attributed_events as (
    select attribution.record_key as record_uid, erased_ids.erasure_request_id,
        'attributed_event' as reason,
    from {{ ref('int_journeys__record_attribution') }} as attribution
    inner join erased_ids using (customer_id)
),

account_holders as (
    select
        contacts.crm_account_id,
        bool_and(person_records.record_uid is not null) as only_erased_contacts,
        min(person_records.erasure_request_id) as erasure_request_id,
    from {{ ref('stg_crm__contacts') }} as contacts
    left join person_records on person_records.record_uid = 'crm:contacts:' || contacts.crm_contact_id
    where contacts.crm_account_id is not null
    group by contacts.crm_account_id
),

person_accounts as (
    select 'crm:accounts:' || accounts.crm_account_id as record_uid,
        account_holders.erasure_request_id, 'person_account' as reason,
    from {{ ref('stg_crm__accounts') }} as accounts
    inner join account_holders using (crm_account_id)
    where account_holders.only_erased_contacts and accounts.account_type = 'Individual'
),

-- a later delivery (a call, an order, a charge) naming an email or phone of an erased person's
-- own: theirs although no customer holds it any more (identifiers others share never count)
naming_erased_identifiers as (
    select refs.subject_key as record_uid, suppressed.erasure_request_id,
        'names_an_erased_identifier' as reason,
    from {{ ref('int_journeys__subject_references') }} as refs
    inner join {{ ref('erasure_suppressed_identifiers') }} as suppressed
        on suppressed.identifier_type = refs.identifier_type
        and suppressed.identifier_hash = sha256(refs.identifier_value)
    where suppressed.is_personal and refs.identifier_type in ('email', 'phone')
),

erased as (
    select * from person_records
    union all
    select * from naming_erased_identifiers
    union all
    select * from attributed_events
    union all
    select * from person_accounts
)

select
    record_uid,
    split_part(record_uid, ':', 1) as source_system,
    split_part(record_uid, ':', 2) as source_entity,
    -- ids may hold ':' themselves: everything after the second separator
    substr(record_uid, length(split_part(record_uid, ':', 1)) + length(split_part(record_uid, ':', 2)) + 3)
        as source_record_id,
    min(erasure_request_id) as erasure_request_id,
    min(reason) as reason,
from erased
group by record_uid
