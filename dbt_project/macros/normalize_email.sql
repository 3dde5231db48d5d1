{#-
    normalize_email(value): the comparable form of an email address: trimmed and lower-cased,
    null when blank. No further rewriting (dots, plus-tags, placeholder values such as
    test@test.com stay): that is identity resolution's decision.
-#}
{% macro normalize_email(value) -%}
    lower({{ clean_text(value) }})
{%- endmacro %}
