{#-
    normalize_tracking_code(value): a carrier tracking code in the form used to join Shopify
    fulfillments to EasyPost trackers: upper-case with all whitespace removed; null when blank.
    Carriers recycle codes, so a join on this alone is not enough (compare dates downstream).
-#}
{% macro normalize_tracking_code(value) -%}
    nullif(upper(regexp_replace({{ value }}, '\s+', '', 'g')), '')
{%- endmacro %}
