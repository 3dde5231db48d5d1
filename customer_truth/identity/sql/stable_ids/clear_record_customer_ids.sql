-- The previous run's record ids go; store_record_customer_ids.sql writes this run's (same
-- transaction).
delete from identity.record_customer_ids
