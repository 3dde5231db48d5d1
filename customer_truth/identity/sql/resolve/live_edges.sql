-- The candidate links between live records that clustering may apply, strongest first:
-- deterministic (by rule priority), then those backed by a personal identifier, then by
-- probability. $link: the link threshold.
-- Reads edges, nodes.
select edges.edge_id, l.node as node_l, r.node as node_r,
       edges.is_deterministic, edges.match_probability
from edges
inner join nodes as l on edges.record_uid_l = l.record_uid
inner join nodes as r on edges.record_uid_r = r.record_uid
where edges.pair_guard is null
  and (edges.is_deterministic or edges.match_probability >= $link)
order by edges.is_deterministic desc, edges.priority,
         edges.shares_personal_identifier desc, edges.match_probability desc, edges.edge_id
