{#-
    normalize_order_name(value): an order reference as people type it (`#1234`, `1234`,
    `Order #1234`, ` order 1234 `) -> the Shopify order name `#1234`; null when the text is not
    a single order number. Leading zeros are dropped (`#01234` -> `#1234`).
-#}
{% macro normalize_order_name(value) -%}
    (case
        when regexp_full_match(lower(trim({{ value }})), '(order)?\s*(no\.?|number)?\s*#?\s*[0-9]{1,18}')
            then '#' || cast(cast(regexp_extract({{ value }}, '([0-9]+)', 1) as hugeint) as varchar)
    end)
{%- endmacro %}
