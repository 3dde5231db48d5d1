{#- The key of one reading of typed values (a phone and the country it is read in; the parts of
    an address): the sha-256 of the values as a JSON list, so that NULL and '' differ and the
    memo holds no value in clear. -#}
{% macro identity_reading_key(values) -%}
    sha256(to_json([{{ values | join(', ') }}]))
{%- endmacro %}

{#- The country a record's phones are read in: its own, else the project default. -#}
{% macro identity_phone_country(country) -%}
    coalesce({{ country }}, '{{ var("identity_default_country") }}')
{%- endmacro %}

{#- A phone as the memo int_identity__phone_readings read it, joined as `readings` on
    identity_reading_key([raw, country]); read here only when the memo does not hold the pair
    (then the memo's sources never carried it), so the value is normalize_phone's either way. -#}
{% macro memoised_phone(readings, raw, country) -%}
    case
        when {{ readings }}.reading_key is null then normalize_phone({{ raw }}, {{ country }})
        else {{ readings }}.e164
    end
{%- endmacro %}
