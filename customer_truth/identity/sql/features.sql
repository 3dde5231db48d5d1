-- The model's input, one row per record: the columns the Splink model compares, with each
-- email, phone and address marked personal or shared by several people.
-- Reads identity_records (rows of intermediate.int_identity__records: the records to match)
-- and identifier_usage (intermediate.int_identity__identifier_usage).
with
shared as (
    select identifier_type, identifier_value
    from identifier_usage
    where is_shared
),
record_phones as (
    select
        records.record_uid,
        list(phone order by phone) filter (where shared.identifier_value is null) as personal,
        list(phone order by phone) filter (where shared.identifier_value is not null) as shared,
    from (select record_uid, unnest(phones) as phone from identity_records) as records
    left join shared
        on shared.identifier_type = 'phone' and shared.identifier_value = records.phone
    group by all
)
select
    records.record_uid as unique_id,
    records.source_system,
    records.given_name_std as given_name,
    records.given_name_canonical as given_canonical,
    records.given_name_aliases as given_aliases,
    records.family_name_std as family_name,
    records.family_name_aliases as family_aliases,
    nullif(concat_ws(' ', records.given_name_std, records.family_name_std), '') as full_name,
    strftime(records.birth_date, '%Y-%m-%d') as birth_date,
    records.email,
    split_part(records.email, '@', 1) as email_local,
    shared_email.identifier_value is not null as email_is_shared,
    coalesce(record_phones.personal, []) as phones_personal,
    coalesce(record_phones.shared, []) as phones_shared,
    case when len(records.phones) > 0 then records.phones end as phones,
    records.address_key,
    shared_address.identifier_value is not null as address_is_shared,
    records.address_street_std as street,
    -- the street line's letters as written, in any script (no numbers, spaces or punctuation):
    -- a street whose name or type was mistyped, or whose words were split or run together,
    -- stays one typo away
    nullif(lower(regexp_replace(records.address_line1, '[^\p{L}]', '', 'g')), '')
        as street_letters,
    nullif(regexp_extract(records.address_line1, '\d+'), '') as house_number,
    records.address_unit_std as unit,
    records.postal_code_std as postal_code,
    records.city_std as city,
from identity_records as records
left join record_phones on records.record_uid = record_phones.record_uid
left join shared as shared_email
    on shared_email.identifier_type = 'email' and shared_email.identifier_value = records.email
left join shared as shared_address
    on shared_address.identifier_type = 'address'
    and shared_address.identifier_value = records.address_key
