-- Everything that identifies an erased person, for removing them from every publish table and,
-- by the publisher, from the published history (old Delta versions, the transaction log):
-- one row per identifier, with `identifier_sha256` = sha256 (hex) of the normalised value (emails
-- lower-case and trimmed, phones E.164, ids as delivered) and, for identifier_type
-- 'customer_id', the plain `customer_id` (current and redirected old ids alike).
-- Internal: read by the publish models and the publisher, never published itself.
select
    identifier_type,
    identifier_hash as identifier_sha256,
    customer_id,
    erasure_request_id,
    suppressed_at,
from {{ ref('erasure_suppressed_identifiers') }}
