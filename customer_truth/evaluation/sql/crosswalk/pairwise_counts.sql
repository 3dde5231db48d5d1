-- records, predicted pairs, true pairs, true-positive pairs, customers and persons of the
-- resolvable records ($resolvable_only) or of all
with scoped as (select * from joined where is_resolvable or not $resolvable_only),

predicted as (select count(*) as n from scoped group by customer_id),

actual as (select count(*) as n from scoped group by person_id),

both_ as (select count(*) as n from scoped group by customer_id, person_id)

select
    (select count(*) from scoped),
    (select coalesce(sum(n * (n - 1) / 2), 0) from predicted),
    (select coalesce(sum(n * (n - 1) / 2), 0) from actual),
    (select coalesce(sum(n * (n - 1) / 2), 0) from both_),
    (select count(distinct customer_id) from scoped),
    (select count(distinct person_id) from scoped)
