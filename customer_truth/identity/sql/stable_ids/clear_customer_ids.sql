-- The previous assignment goes; store_customer_ids.sql writes this run's (same transaction).
delete from identity.customer_ids
