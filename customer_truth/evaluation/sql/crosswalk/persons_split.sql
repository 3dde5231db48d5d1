-- persons, persons split over several customers, persons with planted duplicate records, and
-- those of them split (resolvable records only)
with per_person as (
    select
        person_id,
        count(distinct customer_id) as customers,
        count(distinct system || entity) < count(*) as has_duplicate
    from joined
    where is_resolvable
    group by person_id
)

select
    count(*),
    count(*) filter (where customers > 1),
    count(*) filter (where has_duplicate),
    count(*) filter (where has_duplicate and customers > 1)
from per_person
