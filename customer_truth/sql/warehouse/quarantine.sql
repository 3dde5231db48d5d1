-- every row, file, batch or landing entry not loaded as delivered, with its reason
create table if not exists ingest.quarantine (
    system varchar not null,
    entity varchar,
    batch_id varchar not null,
    source_file varchar not null,
    line_number bigint,
    reason varchar not null,
    raw_text varchar,
    quarantined_at timestamptz not null
)
