create index rows__customer on rows (customer_id)
