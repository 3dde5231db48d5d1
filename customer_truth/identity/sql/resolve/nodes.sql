-- nodes: the live records, the graph's nodes, numbered densely for union-find, with what the
-- clustering constraints compare: birth date, the verified email of systems that hold one
-- email per person ($systems), personal emails and phones.
-- Reads identity_records, features.
create or replace temp table nodes as
select
    row_number() over (order by identity_records.record_uid) - 1 as node,
    identity_records.record_uid,
    strftime(identity_records.birth_date, '%Y-%m-%d') as birth_date,
    case when list_contains($systems, identity_records.source_system) and identity_records.email_verified
         and identity_records.email is not null then identity_records.source_system end
        as verified_email_system,
    identity_records.email as verified_email,
    case when features.email is not null and not features.email_is_shared
        then [features.email] else [] end as personal_emails,
    features.phones_personal as personal_phones,
from identity_records
inner join features on identity_records.record_uid = features.unique_id
where identity_records.is_live
