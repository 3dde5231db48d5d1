-- blocked_pairs: the pairs of the blocking passes (Splink's tables: match_key, join keys).
create or replace temp table blocked_pairs as
{%- for part in parts %}
select * from {{ part }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
