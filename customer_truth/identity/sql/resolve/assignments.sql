-- assignments: each live record's cluster from clustering (roots: one row per node).
-- Reads nodes, roots.
create or replace temp table assignments as
select nodes.record_uid, roots.root as cluster_key
from nodes
inner join roots on nodes.node = roots.node
