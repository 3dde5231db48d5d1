-- deleted_attachments: a deleted record joins the record of its strongest acceptable link to
-- a live record (deterministic first, then by probability; $link: the link threshold). A
-- deleted record with no such link is absent: it never makes a customer of its own.
-- Reads edge_decisions, identity_records.
create or replace temp table deleted_attachments as
with candidates as (
    select l.record_uid as orphan, e.record_uid_r as anchor, e.*
    from edge_decisions as e
    inner join identity_records as l on e.record_uid_l = l.record_uid and not l.is_live
    inner join identity_records as r on e.record_uid_r = r.record_uid and r.is_live
    union all
    select r.record_uid, e.record_uid_l, e.*
    from edge_decisions as e
    inner join identity_records as r on e.record_uid_r = r.record_uid and not r.is_live
    inner join identity_records as l on e.record_uid_l = l.record_uid and l.is_live
)
select
    orphan as record_uid,
    arg_max(anchor, (is_deterministic, coalesce(match_probability, 1))) as anchor_uid,
    arg_max(rule, (is_deterministic, coalesce(match_probability, 1))) as rule,
    max(match_probability) filter (where not is_deterministic) as score,
from candidates
where pair_guard is null and (is_deterministic or match_probability >= $link)
group by orphan
