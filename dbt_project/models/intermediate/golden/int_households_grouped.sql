-- One row per customer who belongs to a household, with the household it belongs to.
--
-- A household is people who live together without being one person:
--   * customers whose golden addresses share one address_key (at least two of them, at most
--     `household_max_members`: more is a building, an office or a placeholder, not a home);
--   * a CRM Household account groups its contacts too: a member whose golden address differs
--     (a stale address) joins the address household holding most of the account's members;
--     an account with no such household forms one when it covers two or more customers.
-- Surnames are not required (partners often keep theirs); dim_households says whether the
-- members share one. A customer with neither is in no household: nobody is forced into one.
--
-- household_id is derived from the household's key (`hh_` + 16 hex digits of sha256 of
-- `address:<address_key>` or `crm_account:<id>`), not persisted like customer ids: a household
-- has no merge or split history worth following, the key is stable while the household stays
-- put, and a household that moves gets a new id (the profile history records the change).
{%- set max_members = var('household_max_members', 8) %}

with

golden_address as (
    select customer_id, value_key as address_key,
    from {{ ref('int_customer_attributes_survived') }}
    where attribute = 'address' and value_key is not null
),

address_households as (
    select
        golden_address.customer_id,
        golden_address.address_key,
        'hh_' || substr(sha256('address:' || golden_address.address_key), 1, 16)
            as household_id,
    from golden_address
    qualify count(*) over (partition by golden_address.address_key)
        between 2 and {{ max_members }}
),

crm_memberships as (
    select distinct
        linked.customer_id,
        contacts.crm_account_id,
    from {{ ref('int_customer_records_linked') }} as linked
    inner join {{ ref('stg_crm__contacts') }} as contacts
        on linked.source_system = 'crm'
        and linked.source_entity = 'contacts'
        and linked.source_record_id = contacts.crm_contact_id
    inner join {{ ref('stg_crm__accounts') }} as accounts
        on contacts.crm_account_id = accounts.crm_account_id
    where linked.is_live
        and accounts.account_type = 'Household'
        and not accounts.is_deleted
),

account_address_household as (
    -- the address household holding most of an account's members
    select
        crm_memberships.crm_account_id,
        address_households.household_id,
    from crm_memberships
    inner join address_households using (customer_id)
    group by crm_memberships.crm_account_id, address_households.household_id
    qualify row_number() over (
        partition by crm_memberships.crm_account_id
        order by count(*) desc, address_households.household_id
    ) = 1
),

unplaced as (
    -- account members not in an address household. A contact in two Household accounts joins
    -- one of them only, chosen before members are counted, so the other account never forms a
    -- household of one.
    select *,
    from crm_memberships
    where customer_id not in (select customer_id from address_households)
    qualify row_number() over (partition by customer_id order by crm_account_id) = 1
),

account_households as (
    select
        unplaced.customer_id,
        unplaced.crm_account_id,
        coalesce(
            account_address_household.household_id,
            'hh_' || substr(sha256('crm_account:' || unplaced.crm_account_id), 1, 16)
        ) as household_id,
        account_address_household.household_id is not null as joins_address_household,
        count(*) over (partition by unplaced.crm_account_id) as unplaced_members,
    from unplaced
    left join account_address_household using (crm_account_id)
),

memberships as (
    select
        address_households.customer_id,
        address_households.household_id,
        address_households.address_key,
        min(crm_memberships.crm_account_id) as crm_account_id,
        case
            when count(crm_memberships.crm_account_id) > 0 then 'address_and_crm_household'
            else 'address'
        end as membership_basis,
    from address_households
    left join crm_memberships using (customer_id)
    group by all

    union all

    select
        customer_id,
        household_id,
        null as address_key,
        crm_account_id,
        'crm_household' as membership_basis,
    from account_households
    where joins_address_household or unplaced_members between 2 and {{ max_members }}
)

select * from memberships
