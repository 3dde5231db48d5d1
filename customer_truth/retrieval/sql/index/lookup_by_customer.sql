create index lookup__customer on lookup (customer_id)
