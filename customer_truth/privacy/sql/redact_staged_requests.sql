-- The requests' staging rows as a rebuild from the redacted payload would have them; rows changed.
update staging.stg_privacy__erasure_requests
set identifier_value = null, identifier_value_normalized = null
where erasure_request_id in (select erasure_request_id from _sweep_requests)
    and identifier_value is not null
