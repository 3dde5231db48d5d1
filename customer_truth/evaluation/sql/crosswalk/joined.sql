-- records in both the crosswalk (`predicted`) and the truth: customer, person, resolvable or not
create temp table joined as
select
    predicted.customer_id,
    truth.person_id,
    truth.system,
    truth.entity,
    truth.record_id,
    truth.status,
    not (
        truth.system = 'digital' and truth.entity = 'anonymous_id'
        and truth.linked is not true
    ) as is_resolvable,
from truth
inner join predicted
    on
        truth.system = predicted.source_system
        and truth.entity = predicted.source_entity
        and truth.record_id = predicted.source_record_id
