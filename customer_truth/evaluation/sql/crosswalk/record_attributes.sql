-- the standardised attributes a split is judged by (warehouse)
select
    source_system, source_entity, source_record_id, given_name_std, family_name_std, email,
    phones, address_key, birth_date
from intermediate.int_identity__records
