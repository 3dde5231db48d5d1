{#- The filter of a memo, a model that keeps a rule's result per distinct value: on an
    incremental run, only the values it has not read under the current version of the rule
    (a value read under another version is read again). -#}
{% macro memo_not_yet_read(key, version_column, current_version) -%}
    {%- if is_incremental() %}
    where {{ key }} not in (
        select done.{{ key.split('.')[-1] }} from {{ this }} as done
        where done.{{ version_column }} = {{ current_version }}
    )
    {%- endif %}
{%- endmacro %}
