-- What the warehouse keeps about erasures once the person is gone (customer_truth/privacy/
-- warehouse_erasure.py). Neither table holds an identifier.
create schema if not exists privacy;

-- The records of erased persons, by sha256 of their record_uid (system:entity:id): a later
-- delivery of the same record is suppressed at ingestion (customer_truth/ingest.py).
create table if not exists privacy.erased_source_records (
    record_uid_sha256 varchar not null,
    erasure_request_id varchar,
    erased_at timestamptz not null
);

-- What each sweep removed and where: one row per relation it changed, and one row
-- (relation '*') per sweep, whose time is the watermark of the next sweep.
create table if not exists privacy.warehouse_erasures (
    swept_at timestamptz not null,
    relation varchar not null,
    rows_removed bigint not null,
    erasure_request_ids varchar[]
);

-- Each rewrite of the warehouse file after sweeps (customer_truth/privacy/warehouse_purge.py):
-- no byte of any sweep up to through_swept_at is left in the file's storage.
create table if not exists privacy.warehouse_purges (
    purged_at timestamptz not null,
    through_swept_at timestamptz not null
);
