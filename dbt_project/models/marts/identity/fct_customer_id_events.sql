-- One row per change of a customer id (created, merged, split, retired) with its reason and
-- the records that moved: the history a system that cached an id follows. Written by
-- customer_truth.identity.stable_ids; a table here so marts readers need not read identity.*.
-- Its columns are the staging view's (stg_identity__customer_id_history lists them once).
select * from {{ ref('stg_identity__customer_id_history') }}
