-- identity.review_queue's rows: pairs for a human, nearest the link threshold first: linked
-- below the strong threshold, not linked above the review floor, and likely matches a guard
-- refused. $low, $strong, $link: clustering's thresholds.
-- Reads evidence (match_evidence.sql's rows).
select
    record_uid_l,
    record_uid_r,
    match_probability,
    case
        when decision = 'cut_by_guard'
            then 'likely match refused by guard: ' || guard_reason
        when decision = 'linked' then 'linked below the strong threshold'
        else 'not linked, close to the threshold'
    end as reason,
from evidence
where match_probability is not null
  and (
    (match_probability >= $low and match_probability < $strong)
    or (decision = 'cut_by_guard' and match_probability >= $link)
  )
order by abs(match_probability - $link), record_uid_l, record_uid_r
