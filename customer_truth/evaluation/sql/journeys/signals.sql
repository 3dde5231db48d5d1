-- the proactive signals the pipeline raised (warehouse)
select signal_id, customer_id, signal_type, detected_at, cast(evidence as varchar) as evidence,
from marts.fct_proactive_signals
