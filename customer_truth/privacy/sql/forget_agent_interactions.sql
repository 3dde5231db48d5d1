-- The AI agents' log names the customer by id: its lines are rewritten (customer id `erased`,
-- no summary) and load again as interactions of nobody; rows deleted.
delete from raw.ai_agent__interactions
where payload ->> 'customer_id' in (select customer_id from _sweep_customer_ids)
