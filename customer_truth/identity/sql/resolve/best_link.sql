-- best_link: per record, the strongest link that put it in its cluster (the rule that
-- attached it, and the model's score when that was a model link).
-- Reads edge_decisions.
create or replace temp table best_link as
with incident as (
    select record_uid_l as record_uid, rule, is_deterministic, priority, match_probability
    from edge_decisions where decision = 'linked'
    union all
    select record_uid_r, rule, is_deterministic, priority, match_probability
    from edge_decisions where decision = 'linked'
)
select
    record_uid,
    arg_max(
        rule, (is_deterministic, -coalesce(priority, 0), coalesce(match_probability, 1))
    ) as rule,
    arg_max(match_probability, (is_deterministic, coalesce(match_probability, 1)))
        as score,
from incident
group by record_uid
