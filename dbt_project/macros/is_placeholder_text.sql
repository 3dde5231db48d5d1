{#-
    is_placeholder_text(value): true when a free-text value carries no information about a
    person: blank, no letter or digit at all, or a placeholder people type into required fields
    (`N/A`, `unknown`, `none`, `test`, `null`, `-`, `xxx`). Compared lower-cased with spaces,
    dots, slashes and dashes removed. Used so a golden record never survives a junk value.
-#}
{% macro is_placeholder_text(value) -%}
    (
        {{ value }} is null
        or not regexp_matches({{ value }}, '[[:alnum:]]')
        or regexp_replace(lower({{ value }}), '[\s./\-_]', '', 'g') in (
            'na', 'nan', 'none', 'null', 'nil', 'unknown', 'unk', 'test', 'xxx', 'xx', 'x',
            'tbd', 'notprovided', 'notavailable', 'noname', 'blank', 'empty', 'asdf'
        )
    )
{%- endmacro %}
