-- Known matches for training: records of different systems in one component of the
-- deterministic links (digital-to-digital pairs excluded: an anonymousId and its userId often
-- carry the very same identify traits, which would flatter exact agreement), plus merged CRM
-- duplicates and their master. $max_size: the largest component taken (bounded pair count).
-- Reads links (int_identity__deterministic_links), identity_records
-- (int_identity__records).
with recursive
strong as (
    -- links by a shared email would teach the model that matches always share their email
    select * from links where guard_reason is null and rule not like 'email:%'
),
edges as (
    select record_uid_l as a, record_uid_r as b from strong
    union all
    select record_uid_r, record_uid_l from strong
    union all
    select record_uid, survivor_record_uid from identity_records where survivor_record_uid is not null
    union all
    select survivor_record_uid, record_uid from identity_records where survivor_record_uid is not null
),
walk(node, component) as (
    select a, a from edges
    union
    select edges.b, walk.component
    from walk
    inner join edges on walk.node = edges.a
),
components as (
    select node as record_uid, min(component) as component
    from walk
    group by node
),
members as (
    select components.*, records.source_system,
           count(*) over (partition by component) as size
    from components
    inner join identity_records as records using (record_uid)
)
select distinct l.record_uid as unique_id_l, r.record_uid as unique_id_r
from members as l
inner join members as r
    on l.component = r.component and l.record_uid < r.record_uid
where l.size <= $max_size
  and (l.source_system <> r.source_system or l.source_system = 'crm')
  and not (l.source_system = 'digital' and r.source_system = 'digital')
