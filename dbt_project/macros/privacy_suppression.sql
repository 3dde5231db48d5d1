{#-
    Erasure suppression in the publish models (models/publish), against publish.erased_customers:

    erased_customer_ids(): the customer ids (current and redirected) of erased people.
    is_suppressed_value(identifier_type, value): true when the normalised value is an identifier
        of an erased person (by sha256), e.g. a household landline another customer shares.
-#}
{% macro erased_customer_ids() -%}
    (select customer_id from {{ ref('erased_customers') }} where customer_id is not null)
{%- endmacro %}

{% macro is_suppressed_value(identifier_type, value) -%}
    (sha256({{ value }}) in (
        select identifier_sha256 from {{ ref('erased_customers') }}
        where identifier_type = '{{ identifier_type }}'
    ))
{%- endmacro %}
