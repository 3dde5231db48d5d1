-- a later delivery of an erased person's record (privacy.erased_source_records, by the hash of
-- its record uid) is quarantined with $reason and without its text
update _validated
set invalid_reason = $reason, raw_text = null
where
    invalid_reason is null
    and sha256($record_uid_prefix || record_key) in (
        select record_uid_sha256 from privacy.erased_source_records
    )
