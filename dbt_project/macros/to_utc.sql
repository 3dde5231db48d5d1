{#-
    to_utc(value): a timestamp as the source systems write it -> TIMESTAMPTZ (a UTC instant),
    or null when it cannot be read. Never raises.

    `value` is a TEXT expression holding the value extracted from a JSON payload
    (`record.created_at` after parse_json_payload, or `payload->>'$.created_at'`). JSON numbers
    arrive as their text (`1772366400`), so both epoch numbers and epoch strings work.

    Handled (each checked against DuckDB 2.0, see the unit tests on stg_support__users):
      - ISO-8601 with `Z`:                      2026-03-01T12:00:00Z, 2026-03-01T12:00:00.123Z
      - ISO-8601 with an offset:                2026-03-01T12:00:00+02:00, ...-0530, ...+05
      - Salesforce:                             2026-03-01T12:00:00.000+0000
      - fractional seconds (any digits; DuckDB keeps microseconds)
      - no offset at all (2026-03-01T12:00:00, 2026-03-01 12:00:00, 2026-03-01): read as UTC,
        whatever the session TimeZone is
      - Unix epoch seconds as a JSON number or a numeric string, fractions allowed
        (1772366400, "1772366400", 1772366400.5); only 0 .. 253402300799 (year 9999)
    -> null: empty or blank text, garbage, impossible dates (2026-02-30), epochs out of range,
       exponent notation, and epoch milliseconds beyond year 9999 (the contract says seconds).

    Why not a plain cast: DuckDB's cast to TIMESTAMP silently DROPS an offset
    ('2026-03-01T12:00:00+02:00'::timestamp = 12:00, not 10:00), and a cast to TIMESTAMPTZ reads
    an offset-less string in the session time zone. So offset-bearing text is cast to
    TIMESTAMPTZ (exact instant) and offset-less text to TIMESTAMP and then declared UTC.
-#}
{% macro to_utc(value) -%}
    {%- set text -%}trim({{ value }}){%- endset -%}
    (case
        when regexp_full_match({{ text }}, '[+-]?[0-9]{1,12}([.][0-9]+)?')
            then case
                when try_cast({{ text }} as double) between 0 and 253402300799
                    then to_timestamp(try_cast({{ text }} as double))
            end
        when regexp_matches(
            {{ text }},
            '[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$'
        )
            then try_cast({{ text }} as timestamptz)
        else timezone('UTC', try_cast({{ text }} as timestamp))
    end)
{%- endmacro %}
