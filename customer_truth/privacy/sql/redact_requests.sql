-- The erasure requests swept now keep their type and time (erasure_log counts them), not the
-- identifier they named; rows changed.
update raw.privacy__erasure_requests set payload = json_object(
    'identifier_type', payload ->> 'identifier_type',
    'requested_at', payload ->> 'requested_at')
where record_key in (select erasure_request_id from _sweep_requests)
    and payload ->> 'identifier_value' is not null
