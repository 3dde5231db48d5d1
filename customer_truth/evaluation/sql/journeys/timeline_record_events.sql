-- the pipeline's answer per event record: its own timeline row (warehouse)
select
    source_system, source_entity, source_record_id, customer_id, journey_id,
    attribution_path, unattributed_reason,
from marts.fct_customer_timeline
where is_record_event
