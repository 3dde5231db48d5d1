-- Splink's blocked_with_cols, from kept vectors: each pair with the columns of its two records
-- (and their current term frequencies, from __splink__df_concat_with_tf) and its kept levels.
select
    vectors.match_key
    {%- for column in columns %},
    {{ column }}
    {%- endfor %}
    {%- for level in levels %},
    vectors.{{ level }}
    {%- endfor %}
from {{ vectors }} as vectors
inner join __splink__df_concat_with_tf as l on l.{{ unique_id }} = vectors.unique_id_l
inner join __splink__df_concat_with_tf as r on r.{{ unique_id }} = vectors.unique_id_r
