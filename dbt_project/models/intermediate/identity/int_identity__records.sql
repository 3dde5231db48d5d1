-- One row per identity-bearing source record (record_uid), standardised for matching:
-- emails validated and lower-cased, phones in E.164 (read in the record's country), junk and
-- company identifiers removed (flagged), names folded with nicknames mapped to a formal form,
-- addresses reduced to comparable parts, implausible birth dates dropped.

with

source_records as (
    select * from {{ ref('int_identity__source_records') }}
),

junk as (
    select * from {{ ref('int_identity__junk_identifiers') }}
),

nicknames as (
    select
        lower(trim(nickname)) as nickname,
        list(distinct lower(trim(formal_name)) order by lower(trim(formal_name))) as formal_names,
    from {{ ref('identity_nicknames') }}
    group by all
),

formal_names as (
    select distinct lower(trim(formal_name)) as formal_name from {{ ref('identity_nicknames') }}
),

junk_lists as (
    select
        coalesce(list(identifier_value) filter (where identifier_type = 'email'), []) as junk_emails,
        coalesce(list(identifier_value) filter (where identifier_type = 'phone'), []) as junk_phones,
    from junk
),

crm_ids as (
    -- Salesforce ids are 18 characters; people and older integrations copy the 15-character
    -- form, which is the same id without its case checksum
    select source_record_id as crm_contact_id, left(source_record_id, 15) as crm_id_15
    from source_records
    where source_system = 'crm' and source_entity = 'contacts'
),

located as (
    select
        source_records.* exclude (crm_contact_id),
        -- a CRM id another system carries counts only when it names a contact we hold
        case
            when source_records.source_system = 'crm' then source_records.crm_contact_id
            else crm_ids.crm_contact_id
        end as crm_contact_id,
        normalize_country(source_records.country_raw) as country,
    from source_records
    left join crm_ids
        on source_records.source_system <> 'crm'
        and length(source_records.crm_contact_id) in (15, 18)
        and left(source_records.crm_contact_id, 15) = crm_ids.crm_id_15
),

-- phones and addresses are read once per distinct value (the memos), then put back in place
typed_phones as (
    select
        record_uid,
        unnest(phones_raw) as phone_raw,
        unnest(range(len(phones_raw))) as position,
        {{ identity_phone_country('country') }} as read_in_country,
    from located
),

read_phones as (
    select
        typed_phones.record_uid,
        list(readings.e164 order by typed_phones.position) as phones_e164,
    from typed_phones
    left join {{ ref('int_identity__phone_readings') }} as readings
        on readings.reading_key
            = {{ identity_reading_key(['typed_phones.phone_raw', 'typed_phones.read_in_country']) }}
    group by typed_phones.record_uid
),

standardised as (
    select
        located.*,
        normalize_email_address(email_raw) as email_valid,
        list_distinct(list_filter(
            case when located.phones_raw is not null then coalesce(read_phones.phones_e164, []) end,
            lambda e164: e164 is not null
        )) as phones_valid,
        normalize_name(given_name) as given_name_std,
        normalize_name(family_name) as family_name_std,
        case
            when birth_date > date '1900-01-01'
                and birth_date <= current_date
                and birth_date not in (date '1901-01-01', date '1970-01-01')
            then birth_date
        end as birth_date_plausible,
        addresses.street_std,
        addresses.unit_std,
        addresses.postal_code_std,
        normalize_name(city) as city_std,
    from located
    left join read_phones on located.record_uid = read_phones.record_uid
    left join {{ ref('int_identity__address_readings') }} as addresses
        on addresses.reading_key = {{ identity_reading_key([
            'located.address_line1', 'located.address_line2', 'located.postal_code', 'located.country'
        ]) }}
),

flagged as (
    select
        standardised.*,
        coalesce(
            email_junk_reason(email_valid) is not null
            or list_contains(junk_lists.junk_emails, email_valid),
            false
        ) as email_in_junk,
        list_filter(phones_valid, lambda e164: not list_contains(junk_lists.junk_phones, e164))
            as phones_clean,
    from standardised
    cross join junk_lists
),

unlisted_given_names as (
    select distinct flagged.given_name_std
    from flagged
    left join nicknames on flagged.given_name_std = nicknames.nickname
    left join formal_names on flagged.given_name_std = formal_names.formal_name
    where length(flagged.given_name_std) >= 3
        and nicknames.nickname is null
        and formal_names.formal_name is null
),

-- every listed name and the formal names it stands for (a formal name stands for itself)
listed_names as (
    select
        coalesce(formal_names.formal_name, nicknames.nickname) as listed_name,
        case
            when formal_names.formal_name is not null then [formal_names.formal_name]
            else nicknames.formal_names
        end as stands_for,
    from nicknames
    full outer join formal_names on nicknames.nickname = formal_names.formal_name
),

-- A given name the lists do not hold may be a listed one mistyped: a letter typed twice (jefff:
-- jeff) or one edit away with the same first letter (dvae: dave, eward: edward). It is read as
-- such only when every listed name that close stands for the same formal names (bobb: bob or
-- bobby, robert either way); a name near different people's names (jhn: john or jon, that is
-- jonathan) is left as it is.
misspelt as (
    select unlisted.given_name_std, min(listed.listed_name) as read_as,
    from unlisted_given_names as unlisted
    inner join listed_names as listed
        on left(listed.listed_name, 1) = left(unlisted.given_name_std, 1)
        and (
            {{ identity_undoubled('unlisted.given_name_std') }} = listed.listed_name  -- noqa: PRS
            or damerau_levenshtein(unlisted.given_name_std, listed.listed_name) = 1
        )
    group by all
    having count(distinct listed.stands_for) = 1
),

-- A letter typed twice has one reading (pattt, patt: pat) even when other listed names are one
-- edit away too (patty): such a name is read as its undoubled form, ambiguous or not, as the
-- nickname itself would be (pat: patrick or patricia).
readings as (
    select given_name_std, read_as from misspelt
    union all
    select unlisted.given_name_std, listed.listed_name as read_as
    from unlisted_given_names as unlisted
    inner join listed_names as listed
        on {{ identity_undoubled('unlisted.given_name_std') }} = listed.listed_name  -- noqa: PRS
    anti join misspelt on unlisted.given_name_std = misspelt.given_name_std
),

named as (
    select
        flagged.*,
        -- an unambiguous nickname (bob) becomes its formal name (robert); an ambiguous one
        -- (sam: samuel or samantha) or a name that is formal itself (frank) stays as it is. A
        -- misspelt name follows the same rule as the name it is read as (dvae: dave: david).
        case
            when len(nicknames.formal_names) = 1 and formal_names.formal_name is null
                then nicknames.formal_names[1]
            when read_formal.formal_name is not null
                then read_formal.formal_name
            when len(read_nick.formal_names) = 1
                then read_nick.formal_names[1]
            else flagged.given_name_std
        end as given_name_canonical,
        case
            when flagged.given_name_std is not null
                then list_distinct(
                    [flagged.given_name_std]
                    || coalesce(nicknames.formal_names, [])
                    || case when readings.read_as is not null then [readings.read_as] else [] end
                    || coalesce(read_nick.formal_names, [])
                )
        end as given_name_aliases,
        -- the family name read as a given name, for a record whose two names were swapped
        -- (Roberts Tim / Timothy Roberts)
        case
            when flagged.family_name_std is not null
                then list_distinct(
                    [flagged.family_name_std] || coalesce(family_nick.formal_names, [])
                )
        end as family_name_aliases,
    from flagged
    left join nicknames on flagged.given_name_std = nicknames.nickname
    left join formal_names on flagged.given_name_std = formal_names.formal_name
    left join readings on flagged.given_name_std = readings.given_name_std
    left join nicknames as read_nick on readings.read_as = read_nick.nickname
    left join formal_names as read_formal on readings.read_as = read_formal.formal_name
    left join nicknames as family_nick on flagged.family_name_std = family_nick.nickname
),

survivors as (
    select source_record_id, record_uid from source_records
    where source_system = 'crm' and source_entity = 'contacts'
)

select
    named.record_uid,
    named.source_system,
    named.source_entity,
    named.source_record_id,
    named.is_live,
    survivors.record_uid as survivor_record_uid,
    named.given_name,
    named.family_name,
    named.given_name_std,
    named.family_name_std,
    named.given_name_canonical,
    named.given_name_aliases,
    named.family_name_aliases,
    case when not named.email_in_junk then named.email_valid end as email,
    (named.email_raw is not null and named.email_valid is null) or named.email_in_junk as email_is_junk,
    named.phones_clean[1] as phone,
    named.phones_clean as phones,
    named.birth_date_plausible as birth_date,
    named.address_line1,
    named.address_line2,
    named.city,
    named.region,
    named.postal_code,
    named.country,
    named.street_std as address_street_std,
    named.unit_std as address_unit_std,
    named.postal_code_std,
    named.city_std,
    case
        when named.street_std is not null and coalesce(named.postal_code_std, named.city_std) is not null
            then concat_ws(
                '|',
                named.street_std,
                coalesce(named.unit_std, ''),
                coalesce(named.postal_code_std, named.city_std),
                coalesce(named.country, '')
            )
    end as address_key,
    named.crm_contact_id,
    named.commerce_customer_id,
    named.billing_customer_id,
    named.support_user_id,
    named.anonymous_id,
    named.user_id,
    named.email_verified,
    named.observed_at,
    named.first_seen_at,
    named.email_opt_out,
    named.email_opt_in,
    named.do_not_call,
    named.email_consent_at,
from named
left join survivors
    on named.source_system = 'crm'
    and named.survivor_source_record_id = survivors.source_record_id
