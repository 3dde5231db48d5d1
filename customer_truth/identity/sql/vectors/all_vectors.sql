-- comparison_vectors: every blocked pair's vector now: the kept ones of pairs of two unchanged
-- records, and the new ones (every pair touching a changed record).
create or replace table comparison_vectors as
{%- if kept_vectors %}
select kept.unique_id_l, kept.unique_id_r, kept.match_key, {{ gammas | join(', ') }}
from {{ kept_vectors }} as kept
where
    kept.unique_id_l in (select unique_id from unchanged_features)
    and kept.unique_id_r in (select unique_id from unchanged_features)
union all
{%- endif %}
select unique_id_l, unique_id_r, match_key, {{ gammas | join(', ') }}
from {{ new_vectors }}
