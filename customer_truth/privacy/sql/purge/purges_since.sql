-- Rewrites of the warehouse file at or after a moment (a run's start).
select count(*) from privacy.warehouse_purges where purged_at >= $since
