-- one row per batch seen: loaded, or quarantined whole (columns added since: warehouse.py)
create table if not exists ingest.batch_loads (
    system varchar not null,
    batch_id varchar not null,
    batch_mode varchar,
    extracted_at timestamptz,
    manifest_error varchar,
    loaded_at timestamptz not null,
    primary key (system, batch_id)
)
