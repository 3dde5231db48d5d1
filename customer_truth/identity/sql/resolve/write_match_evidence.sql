-- identity.match_evidence, typed, from match_evidence.sql's rows, written to $path.
create or replace table identity.match_evidence as
select
    record_uid_l::varchar as record_uid_l,
    record_uid_r::varchar as record_uid_r,
    rule::varchar as rule,
    match_probability::double as match_probability,
    match_weight::double as match_weight,
    comparison::json as comparison,
    decision::varchar as decision,
    guard_reason::varchar as guard_reason,
from read_parquet($path)
