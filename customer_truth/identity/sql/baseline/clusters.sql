-- Splink's clusters, one row per record: `table` is the physical name Splink gave them.
select unique_id, cluster_id from {{ table }}
