-- Candidate of the published `identity_crosswalk`: one row per identity-bearing source record of
-- a customer who was not erased, with the rule or model that linked it.
select
    source_system,
    source_entity,
    source_record_id,
    customer_id,
    match_rule,
    match_score,
    linked_at,
    record_uid,
    is_live,
from {{ ref('bdg_identity_crosswalk') }}
where customer_id not in {{ erased_customer_ids() }}
    and sha256(source_record_id) not in (select identifier_sha256 from {{ ref('erased_customers') }})
