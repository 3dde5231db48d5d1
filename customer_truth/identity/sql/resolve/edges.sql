-- edges: every candidate link between two records, deterministic and model-scored, with the
-- guard that refuses it (if any). Model edges are numbered after the deterministic ones.
-- Reads deterministic, guarded_pairs; $version: the model's version.
create or replace temp table edges as
select
    row_number() over (order by node_l, node_r, rule) as edge_id,
    node_l as record_uid_l,
    node_r as record_uid_r,
    true as is_deterministic,
    priority,
    cast(null as double) as match_probability,
    'deterministic:' || rule as rule,
    guard_reason as pair_guard,
    true as shares_personal_identifier,
from deterministic
where node_l <> node_r
union all
select
    1000000000 + row_number() over (order by unique_id_l, unique_id_r),
    unique_id_l,
    unique_id_r,
    false,
    null,
    match_probability,
    'splink:' || $version,
    guard_reason,
    shares_personal_identifier,
from guarded_pairs
