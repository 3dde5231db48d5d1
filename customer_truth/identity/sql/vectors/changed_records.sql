-- changed_features: the records whose features row is not one the kept vectors were computed
-- from (new records, and records whose own values or counted features changed).
create or replace temp table changed_features as
select *
from {{ features }}
where unique_id in (
    select unique_id from (select * from {{ features }} except select * from {{ kept_features }})
)
