-- One row per identifier value that must never link two records: the company's own phone
-- numbers and addresses and known placeholders, from the seed identity_junk_identifiers, plus
-- every address the contact center answers on (Amazon Connect SystemEndpoint): the company's
-- numbers as the data shows them, so a new hotline is recognised without editing the seed.

with

seeded as (
    select
        identifier_type,
        case identifier_type
            when 'phone' then normalize_phone(identifier_value, null)
            when 'email' then normalize_email_address(identifier_value)
        end as identifier_value,
        reason,
    from {{ ref('identity_junk_identifiers') }}
),

system_endpoints as (
    select distinct
        case when system_endpoint_address like '%@%' then 'email' else 'phone' end as identifier_type,
        case
            when system_endpoint_address like '%@%' then normalize_email_address(system_endpoint_address)
            else normalize_phone(system_endpoint_address, null)
        end as identifier_value,
        'company_endpoint' as reason,
    from {{ ref('stg_contact_center__contact_records') }}
    where system_endpoint_address is not null
),

unioned as (
    select * from seeded
    union all
    select * from system_endpoints
)

select
    identifier_type,
    identifier_value,
    min(reason) as reason,
from unioned
where identifier_value is not null
group by all
