-- What one warehouse sweep removes. $since: the previous sweep's time (null before the first).
-- Every temp table is dropped with the connection; values never leave DuckDB except the erased
-- customer ids, which the access log needs.

-- the requests processed since the last sweep, and the customer ids they erased
create or replace temp table _sweep_suppressed as
select identifier_type, customer_id, erasure_request_id,
from privacy.erasure_suppressed_identifiers
where $since is null or suppressed_at > $since;

create or replace temp table _sweep_customer_ids as
select distinct customer_id, from _sweep_suppressed
where identifier_type = 'customer_id' and customer_id is not null;

create or replace temp table _sweep_requests as
select distinct erasure_request_id, from _sweep_suppressed;

-- every record of an erased person the warehouse still holds (gone after the sweep, so a later
-- run lists only what was delivered since)
create or replace temp table _sweep_records as
select record_uid, source_system, source_entity, source_record_id, erasure_request_id,
from privacy.erased_records;

-- the values that name the person in any table: customer ids, record uids, and their personal
-- identifiers (an email or phone identity shows shared by different people is not theirs alone)
create or replace temp table _sweep_values as
select customer_id as value, from _sweep_customer_ids
union
select record_uid, from _sweep_records
union
select lookup.identifier_value,
from marts.bdg_identifier_lookup as lookup
inner join _sweep_customer_ids using (customer_id)
where not lookup.is_shared and lookup.identifier_value is not null
union
select unnest([requests.identifier_value, requests.identifier_value_normalized]),
from staging.stg_privacy__erasure_requests as requests
inner join _sweep_requests using (erasure_request_id);

delete from _sweep_values where value is null or length(value) < 6;

-- landing lines of the records deleted from raw: every row built from one goes with it
create or replace temp table _sweep_lines (source_file varchar, line_number bigint);
