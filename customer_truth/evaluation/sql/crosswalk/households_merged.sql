-- households, customers holding several members of one, households with members merged
with customer_persons as (
    select
        joined.customer_id,
        members.household_id,
        count(distinct joined.person_id) as persons
    from joined
    inner join household_members as members using (person_id)
    group by all
)

select
    (select count(distinct household_id) from household_members),
    count(*) filter (where persons > 1),
    count(distinct household_id) filter (where persons > 1)
from customer_persons
