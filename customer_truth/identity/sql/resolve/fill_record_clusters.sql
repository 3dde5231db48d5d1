-- identity.record_clusters' rows, from record_clusters.sql's rows written to $path.
insert into identity.record_clusters
select record_uid, cluster_key, match_rule, match_score, resolved_at
from read_parquet($path)
