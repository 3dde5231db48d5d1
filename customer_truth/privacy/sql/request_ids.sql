-- The erasure requests this sweep covers.
select * from _sweep_requests order by 1
