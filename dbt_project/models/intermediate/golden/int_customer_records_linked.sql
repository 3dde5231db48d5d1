-- One row per identity-bearing source record that belongs to a customer: the record's
-- standardised attributes with the stable customer id of this run.
--
-- Which customer a merged-away or deleted record belongs to is decided in one place, identity
-- resolution (customer_truth/identity/sql/resolve/: a merged record follows its survivor, a
-- deleted one the live record of its strongest link, and one without such a link is absent),
-- so every customer here has a live record.
with

records as (
    select * from {{ ref('int_identity__records') }}
),

assigned as (
    select * from {{ ref('stg_identity__record_customer_ids') }}
)

select
    records.*,
    assigned.customer_id,
    assigned.match_rule,
    assigned.match_score,
    assigned.linked_at,
from records
inner join assigned on records.record_uid = assigned.record_uid
