-- identity.review_queue, typed, from review_queue.sql's rows, written to $path.
create or replace table identity.review_queue as
select
    record_uid_l::varchar as record_uid_l,
    record_uid_r::varchar as record_uid_r,
    match_probability::double as match_probability,
    reason::varchar as reason,
from read_parquet($path)
