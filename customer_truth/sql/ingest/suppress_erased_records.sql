-- a later delivery of an erased person's record (privacy.erased_source_records, by the hash of
-- its record uid) is quarantined with $reason and without its text
update _checked
set reason = $reason, doc = null
where
    reason is null
    and sha256($record_uid_prefix || record_key) in (
        select record_uid_sha256 from privacy.erased_source_records
    )
