{#-
    expression_is_true: every row satisfies a SQL boolean `expression` (for example
    `member_count >= 2`). The project's own version of the dbt_utils test, which is not
    installable offline. Returns the rows that break it.
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
