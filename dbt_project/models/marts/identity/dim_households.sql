-- One row per household: two or more customers living together (shared golden address, or a
-- CRM Household account). The address is the members' golden address; surname is the family
-- name most members share, and shares_surname says whether they all do.
with

members as (
    select * from {{ ref('int_households_grouped') }}
),

profiles as (
    select * from {{ ref('int_customer_attributes_survived') }}
),

member_facts as (
    select
        members.household_id,
        members.customer_id,
        members.crm_account_id,
        members.membership_basis,
        family.value as family_name,
        family.value_key as family_name_key,
        address.address_line1,
        address.address_line2,
        address.city,
        address.region,
        address.postal_code,
        address.country,
        address.value_key as address_key,
    from members
    left join profiles as family
        on members.customer_id = family.customer_id and family.attribute = 'family_name'
    left join profiles as address
        on members.customer_id = address.customer_id and address.attribute = 'address'
),

household_address as (
    -- the address most members hold (account-based households may disagree)
    select household_id, address_line1, address_line2, city, region, postal_code, country,
    from member_facts
    where address_key is not null
    group by household_id, address_line1, address_line2, city, region, postal_code, country
    qualify row_number() over (
        partition by household_id order by count(*) desc, address_line1
    ) = 1
),

household_surname as (
    select household_id, family_name as surname,
    from member_facts
    where family_name is not null
    group by household_id, family_name
    qualify row_number() over (partition by household_id order by count(*) desc, family_name) = 1
)

select
    member_facts.household_id,
    count(*) as member_count,
    min(household_surname.surname) as surname,
    count(distinct member_facts.family_name_key) = 1 as shares_surname,
    case
        when bool_and(member_facts.membership_basis = 'address') then 'address'
        when bool_and(member_facts.membership_basis = 'crm_household') then 'crm_household'
        else 'address_and_crm_household'
    end as household_basis,
    list(distinct member_facts.crm_account_id order by member_facts.crm_account_id)
        filter (where member_facts.crm_account_id is not null) as crm_account_ids,
    min(household_address.address_line1) as address_line1,
    min(household_address.address_line2) as address_line2,
    min(household_address.city) as city,
    min(household_address.region) as region,
    min(household_address.postal_code) as postal_code,
    min(household_address.country) as country,
from member_facts
left join household_address using (household_id)
left join household_surname using (household_id)
group by member_facts.household_id
