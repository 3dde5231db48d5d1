-- _survivors: rule 2, among the old ids a cluster keeps, the survivor (the most of its
-- records, then the oldest id, then the smallest).
create or replace temp table _survivors as
select
    cluster_key,
    old_id as customer_id,
    n_records,
from _keepers
qualify row_number() over (
    partition by cluster_key
    order by n_records desc, id_created_at asc, old_id asc
) = 1
