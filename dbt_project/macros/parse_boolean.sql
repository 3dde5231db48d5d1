{#-
    parse_boolean(value): text from a CSV cell or a JSON boolean -> BOOLEAN.
    true/t/yes/y/1 -> true, false/f/no/n/0 -> false (any case, trimmed); anything else
    (empty, null, unknown text) -> null. Callers decide with coalesce() what null means.
-#}
{% macro parse_boolean(value) -%}
    (case lower({{ clean_text(value) }})
        when 'true' then true
        when 't' then true
        when 'yes' then true
        when 'y' then true
        when '1' then true
        when 'false' then false
        when 'f' then false
        when 'no' then false
        when 'n' then false
        when '0' then false
    end)
{%- endmacro %}
