-- One row per email, phone or address value carried by an identity record (identifier_type,
-- identifier_value): how many records carry it and whether it is SHARED, i.e. carried by
-- records the data shows to be different people (incompatible given names, or different birth
-- dates). A shared identifier (household landline, family email, office switchboard, a
-- household's address) is never enough to link two records on its own.
--
-- Addresses count as shared only when two records of ONE system disagree: across systems a
-- different given name at one address may be a data-entry error, but one system rarely holds
-- one person twice under different given names, so there it proves two residents.

with

records as (
    select * from {{ ref('int_identity__records') }}
),

carriers as (
    select
        'email' as identifier_type,
        email as identifier_value,
        record_uid,
        given_name_std,
        family_name_std,
        given_name_canonical,
        given_name_aliases,
        family_name_aliases,
        birth_date,
        source_system,
    from records
    where email is not null
    union all
    select
        'phone' as identifier_type,
        unnest(phones) as identifier_value,
        record_uid,
        given_name_std,
        family_name_std,
        given_name_canonical,
        given_name_aliases,
        family_name_aliases,
        birth_date,
        source_system,
    from records
    where len(phones) > 0
    union all
    select
        'address' as identifier_type,
        address_key as identifier_value,
        record_uid,
        given_name_std,
        family_name_std,
        given_name_canonical,
        given_name_aliases,
        family_name_aliases,
        birth_date,
        source_system,
    from records
    where address_key is not null
),

counted as (
    select
        identifier_type,
        identifier_value,
        count(distinct record_uid) as record_count,
    from carriers
    group by all
),

-- pairs of carriers of one value that cannot be one person
conflicts as (
    select distinct
        a.identifier_type,
        a.identifier_value,
    from carriers as a
    inner join counted
        on a.identifier_type = counted.identifier_type
        and a.identifier_value = counted.identifier_value
        and counted.record_count between 2 and {{ var('identity_shared_identifier_max_records') }}
    inner join carriers as b
        on a.identifier_type = b.identifier_type
        and a.identifier_value = b.identifier_value
        and a.record_uid < b.record_uid
        and (a.identifier_type <> 'address' or a.source_system = b.source_system)
    where
        (a.birth_date is not null and b.birth_date is not null and a.birth_date <> b.birth_date)
        or (
            a.given_name_std is not null
            and b.given_name_std is not null
            and not {{ identity_given_names_compatible('a', 'b') }}  -- noqa: PRS
        )
)

select
    counted.identifier_type,
    counted.identifier_value,
    counted.record_count,
    (
        counted.identifier_type <> 'address'
        and counted.record_count > {{ var('identity_shared_identifier_max_records') }}
    )
        or conflicts.identifier_value is not null as is_shared,
from counted
left join conflicts
    on counted.identifier_type = conflicts.identifier_type
    and counted.identifier_value = conflicts.identifier_value
