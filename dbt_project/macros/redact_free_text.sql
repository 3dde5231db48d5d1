{#-
    A text a source system lets people type (a ticket subject, a refund note, a page path, an
    agent's name, a status a system may fill with anything), redacted where it enters a summary
    (`redact_text`: customer_truth/privacy/redaction.py). The references a summary composes
    around it (order names, tracking codes, invoice and charge ids, amounts, dates) are not
    redacted: a redaction of the whole summary read them as phone numbers ("Order #[PHONE]").
    Only a text holding a digit or an @ can change (redact_text returns any other unchanged), so
    no other text crosses into Python.
-#}
{% macro redact_free_text(text) -%}
    case when regexp_matches({{ text }}, '[\p{Nd}@]') then redact_text({{ text }}) else {{ text }} end
{%- endmacro %}
