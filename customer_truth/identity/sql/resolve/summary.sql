-- What one resolution did: live records, resolved records, clusters, deterministic links,
-- scored pairs, model links, pairs cut by a guard.
select
    (select count(*) from all_records where is_live),
    (select count(*) from clustered),
    (select count(distinct cluster_key) from clustered),
    (select count(*) from edge_decisions
     where is_deterministic and decision = 'linked'),
    (select count(*) from predictions),
    (select count(*) from edge_decisions
     where not is_deterministic and decision = 'linked'),
    (select count(*) from edge_decisions where decision = 'cut_by_guard')
