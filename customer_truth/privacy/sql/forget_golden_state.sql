-- The golden records are rebuilt for the customers whose records' kept state changed
-- (dbt_project/macros/golden_incremental.sql). The sweep deleted golden rows by value, some of
-- them other customers' (an erased person's shared email takes others' candidate rows with it):
-- the kept state of those customers' records is marked spent (0 is no hash it keeps), so the
-- next run rebuilds them.
update intermediate.int_customer_golden_record_states
set record_state = 0
where list_contains($customer_ids, customer_id)
