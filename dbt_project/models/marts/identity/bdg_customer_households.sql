-- One row per customer who belongs to a household (at most one household per customer; a
-- customer with no shared address or Household account is in none). A household is never
-- merged into a person: members keep their own customer_id.
select
    customer_id,
    household_id,
    membership_basis,
    crm_account_id,
from {{ ref('int_households_grouped') }}
