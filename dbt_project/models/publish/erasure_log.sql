-- One row per erasure request: only that it happened and what it covered, never the identifier.
-- Safe to publish.
with

requests as (
    select erasure_request_id, requested_at, batch_id,
    from {{ ref('stg_privacy__erasure_requests') }}
),

suppressed as (
    select
        erasure_request_id,
        count(*) filter (where identifier_type = 'customer_id') as customer_ids_erased,
        -- customers the request did not name, erased because they share a personal identifier
        -- with one it did: the same person, split by identity
        count(*) filter (
            where identifier_type = 'customer_id' and starts_with(reason, 'shares_')
        ) as customer_ids_followed,
        count(*) filter (where identifier_type <> 'customer_id') as identifiers_suppressed,
        min(suppressed_at) as first_processed_at,
        max(suppressed_at) as last_processed_at,
    from {{ ref('erasure_suppressed_identifiers') }}
    group by erasure_request_id
)

select
    requests.erasure_request_id,
    requests.requested_at,
    requests.batch_id as delivered_in_batch,
    suppressed.first_processed_at,
    suppressed.last_processed_at,
    coalesce(suppressed.customer_ids_erased, 0) as customer_ids_erased,
    coalesce(suppressed.customer_ids_followed, 0) as customer_ids_followed,
    coalesce(suppressed.identifiers_suppressed, 0) as identifiers_suppressed,
from requests
left join suppressed using (erasure_request_id)
