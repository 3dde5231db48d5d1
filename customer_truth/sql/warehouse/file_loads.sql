-- one row per file of a batch: landed = loaded + quarantined against the _SUCCESS count
create table if not exists ingest.file_loads (
    system varchar not null,
    batch_id varchar not null,
    file_name varchar not null,
    entity varchar,
    declared_rows bigint,
    landed_rows bigint not null,
    loaded_rows bigint not null,
    quarantined_rows bigint not null,
    reconciled boolean not null,
    problem varchar,
    loaded_at timestamptz not null,
    primary key (system, batch_id, file_name)
)
