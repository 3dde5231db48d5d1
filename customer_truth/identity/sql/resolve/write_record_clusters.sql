-- identity.record_clusters: one row per resolved record, its cluster in this run and the
-- rule or score that attached it. From record_clusters.sql's rows, written to $path.
create or replace table identity.record_clusters (
    record_uid varchar primary key,
    cluster_key varchar not null,
    match_rule varchar not null,
    match_score double,
    resolved_at timestamptz
);

insert into identity.record_clusters
select record_uid, cluster_key, match_rule, match_score, resolved_at
from read_parquet($path)
