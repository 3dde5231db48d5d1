-- The customer ids this sweep erases (the access log and the interaction log forget them).
select * from _sweep_customer_ids
