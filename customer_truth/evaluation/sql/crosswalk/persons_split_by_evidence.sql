-- split persons, and those of them with a stray record that shares an email, phone, address,
-- birth date or a full name no other person carries with another record of the person
with records as (
    select
        joined.person_id, joined.customer_id, joined.system, joined.entity,
        joined.record_id, a.given_name_std, a.family_name_std, a.email, a.phones,
        a.address_key, cast(a.birth_date as varchar) as birth_date,
    from joined
    inner join attributes as a
        on
            joined.system = a.source_system and joined.entity = a.source_entity
            and joined.record_id = a.source_record_id
    where joined.is_resolvable
),

name_carriers as (
    select given_name_std, family_name_std, count(distinct person_id) as persons
    from records
    where given_name_std is not null and family_name_std is not null
    group by all
),

values_ as (
    select person_id, system, entity, record_id, 'email' as kind, email as value
    from records where email is not null
    union all
    select person_id, system, entity, record_id, 'phone', unnest(phones)
    from records where len(phones) > 0
    union all
    select person_id, system, entity, record_id, 'address', address_key
    from records where address_key is not null
    union all
    select person_id, system, entity, record_id, 'birth_date', birth_date
    from records where birth_date is not null
    union all
    -- a full name is evidence only when no other person carries it
    select
        person_id, system, entity, record_id, 'name',
        given_name_std || ' ' || family_name_std
    from records
    inner join name_carriers using (given_name_std, family_name_std)
    where name_carriers.persons = 1
),

with_evidence as (
    select distinct a.system, a.entity, a.record_id
    from values_ as a
    inner join values_ as b
        on
            a.person_id = b.person_id and a.kind = b.kind and a.value = b.value
            and (a.system, a.entity, a.record_id) <> (b.system, b.entity, b.record_id)
),

main_customer as (
    select person_id, arg_max(customer_id, n) as customer_id
    from (select person_id, customer_id, count(*) as n from records group by all)
    group by person_id
),

strays as (
    select
        records.person_id,
        with_evidence.record_id is not null as has_evidence,
    from records
    inner join main_customer using (person_id)
    left join with_evidence using (system, entity, record_id)
    where records.customer_id <> main_customer.customer_id
)

select
    count(distinct person_id),
    count(distinct person_id) filter (where has_evidence),
from strays
