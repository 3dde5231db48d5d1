-- How many requests, erased customer ids and records this sweep covers (erasure_scope.sql).
select
    (select count(*) from _sweep_requests),
    (select count(*) from _sweep_customer_ids),
    (select count(*) from _sweep_records)
