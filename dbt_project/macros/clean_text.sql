{#-
    clean_text(value): trim whitespace (space, tab, CR, LF, vertical tab, form feed, no-break
    space) from both ends of a text value and turn an empty result into null. Salesforce CSV
    cells are "" when empty; JSON sources send "" or "  " for unknown values. Case and inner
    whitespace are kept: deeper normalisation belongs to identity resolution.
-#}
{% macro clean_text(value) -%}
    nullif(trim({{ value }}, chr(32) || chr(9) || chr(10) || chr(13) || chr(11) || chr(12) || chr(160)), '')
{%- endmacro %}
