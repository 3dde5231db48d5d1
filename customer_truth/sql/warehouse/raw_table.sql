-- one raw table (`table`, raw.<system>__<entity>: code, never data): a line's payload and its
-- lineage
create table if not exists {{ table }} (
    record_key varchar not null,
    payload json not null,
    batch_id varchar not null,
    batch_mode varchar,
    extracted_at timestamptz,
    source_file varchar not null,
    line_number bigint not null,
    loaded_at timestamptz not null
)
