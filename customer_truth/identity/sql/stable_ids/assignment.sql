-- _assignment: each cluster's customer id, kept or new.
create or replace temp table _assignment as
select cluster_key, customer_id, false as is_new, from _survivors
union all
select cluster_key, customer_id, true as is_new, from _new_ids
