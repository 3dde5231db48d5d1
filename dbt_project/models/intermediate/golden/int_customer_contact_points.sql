-- One row per live linked record and contact point it states (its email, each of its phones):
-- the point, whether it is the record's own main statement, and whether other customers state it
-- too. A contact point several customers use (a household landline, a family mailbox, a
-- switchboard) reaches more than one person: it survives in a golden record only when nothing
-- else does (int_customer_attributes_survived), and a change of who uses it changes the golden
-- records of everyone stating it (macros/golden_incremental.sql).
with

records as (
    select * from {{ ref('int_customer_records_linked') }}
    where is_live
),

emails as (
    select record_uid, customer_id, 'email' as attribute, email as value, true as is_record_primary,
    from records
    where email is not null and not coalesce(email_is_junk, false)
),

phones as (
    -- a record may carry several numbers (CRM Phone, MobilePhone, HomePhone): each is stated,
    -- its main phone marked as the record's own statement
    select distinct record_uid, customer_id, 'phone', phone_value, phone_value = phone,
    from (
        select record_uid, customer_id, phone,
            unnest(list_distinct(list_append(coalesce(phones, []), phone))) as phone_value,
        from records
    ) as record_phone_values
    where phone_value is not null
),

stated as (
    select * from emails
    union all
    select * from phones
),

shared as (
    select attribute, value,
    from stated
    group by attribute, value
    having count(distinct customer_id) > 1
)

select
    stated.record_uid,
    stated.customer_id,
    stated.attribute,
    stated.value,
    stated.is_record_primary,
    shared.value is not null as is_shared,
from stated
left join shared
    on stated.attribute = shared.attribute
    and stated.value = shared.value
