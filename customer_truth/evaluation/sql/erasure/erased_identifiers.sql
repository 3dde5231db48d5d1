-- the identifiers each erasure request can reach in the landed data that no person who was not
-- erased holds too
create temp table erased_identifiers as
with erasures as (
    select * from read_json(
        $erasures, format = 'newline_delimited',
        columns = {
            person_id: 'VARCHAR', reachable_records: 'VARCHAR[][]',
            reachable_values: 'VARCHAR[]'
        }
    )
),

-- what each request can reach in the landed data (the truth's `erasure_reach`)
reachable as (
    select
        person_id,
        if(contains(value, '@'), 'email', 'phone') as kind,
        lower(trim(value)) as value,
    from (select person_id, unnest(reachable_values) as value, from erasures)
    union all
    select person_id, record[1] || '/' || record[2], lower(record[3]),
    from (select person_id, unnest(reachable_records) as record, from erasures)
),

persons as (
    select * from read_json(
        $persons, format = 'newline_delimited',
        columns = {
            person_id: 'VARCHAR', emails: 'STRUCT(address VARCHAR)[]',
            phones: 'STRUCT(e164 VARCHAR)[]', former: 'STRUCT(phones VARCHAR[])'
        }
    )
),

emails as (select person_id, unnest(emails) as email, from persons),

phones as (select person_id, unnest(phones) as phone, from persons),

-- every identifier of every person, to leave out what a person not erased holds too
person_values as (
    select person_id, lower(trim(email.address)) as value, from emails
    union all
    select person_id, phone.e164, from phones
    union all
    select person_id, unnest(former.phones), from persons
    union all
    select person_id, lower(record_id),
    from read_json(
        $records, format = 'newline_delimited',
        columns = {
            system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR', person_id: 'VARCHAR'
        }
    )
),

others as (
    select distinct value, from person_values
    where person_id not in (select person_id from erasures)
)

select distinct reachable.person_id, reachable.kind, reachable.value,
from reachable
where
    coalesce(reachable.value, '') <> ''
    and reachable.value not in (select value from others)
