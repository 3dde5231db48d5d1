-- record -> customer (warehouse)
select source_system, source_entity, source_record_id, customer_id,
from marts.bdg_identity_crosswalk
