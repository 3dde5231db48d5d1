-- edge_decisions: every edge with its decision (cut_by_guard, clustering's decision, or
-- below_threshold under $link) and the guard that cut it.
-- Reads edges, decisions (from clustering).
create or replace temp table edge_decisions as
select
    edges.*,
    case
        when edges.pair_guard is not null then 'cut_by_guard'
        when decisions.decision is not null then decisions.decision
        when not edges.is_deterministic and edges.match_probability < $link
            then 'below_threshold'
    end as decision,
    coalesce(edges.pair_guard, decisions.guard_reason) as guard_reason,
from edges
left join decisions using (edge_id)
