{#-
    unique_combination_of_columns: no two rows share the same values in `combination_of_columns`
    (the grain of a model whose key spans several columns, such as one row per order and line
    item position). The project's own version of the dbt_utils test, which is not installable
    offline. Returns one row per duplicated combination.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
