-- identity.record_clusters: one row per resolved record, its cluster in this run and the
-- rule or score that attached it (filled by fill_record_clusters.sql).
create or replace table identity.record_clusters (
    record_uid varchar primary key,
    cluster_key varchar not null,
    match_rule varchar not null,
    match_score double,
    resolved_at timestamptz
)
