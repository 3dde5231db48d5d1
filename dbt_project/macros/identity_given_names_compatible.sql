{#-
    identity_given_names_compatible(a, b): true when the given names of records `a` and `b`
    (table aliases of relations with given_name_std, given_name_canonical, family_name_std,
    given_name_aliases, family_name_aliases) can belong to one person: equal, nickname-related (Bob / Robert through
    the nickname seed), one typing error apart (also between formal forms: Bob / Rboert) (one edit, same first letter, four letters or more, and not a
    gendered form such as Eric / Erica; or, from three letters, a letter typed twice: Samm / Sam),
    a three-letter name that is a four-letter one with an inner letter dropped (Jhn / John; not
    Eva / Evan), an initial (J / John), or first and last name swapped (both parts, the other
    one alike or nickname-related: Roberts Tim / Timothy Roberts; one part alone is not enough,
    Emily Robinson / Robinson Maria are two Robinsons).
    Used to tell a shared identifier (household landline, family email: different given names)
    from one person's identifier seen in several systems. Mirrors
    customer_truth.identity.matching.given_names_compatible_sql: keep the two in step.
-#}
{% macro identity_given_names_compatible(a, b) -%}
    {%- set ga = a ~ '.given_name_std' -%}
    {%- set gb = b ~ '.given_name_std' -%}
    {%- set ca = a ~ '.given_name_canonical' -%}
    {%- set cb = b ~ '.given_name_canonical' -%}
    {%- set suffixes = "['a', 'e', 'le', 'ne', 'na', 'ia', 'ette', 'ine']" -%}
    (
        {{ ga }} = {{ gb }}
        or list_has_any({{ a }}.given_name_aliases, {{ b }}.given_name_aliases)
        {%- for x, y in [(ga, gb), (ca, cb)] %}
        or (
            damerau_levenshtein({{ x }}, {{ y }}) <= 1
            and left({{ x }}, 1) = left({{ y }}, 1)
            and least(length({{ x }}), length({{ y }})) >= 4
            and not (starts_with({{ x }}, {{ y }}) and list_contains({{ suffixes }}, substr({{ x }}, length({{ y }}) + 1)))
            and not (starts_with({{ y }}, {{ x }}) and list_contains({{ suffixes }}, substr({{ y }}, length({{ x }}) + 1)))
        )
        or (
            length({{ x }}) <> length({{ y }})
            and least(length({{ x }}), length({{ y }})) >= 3
            and {{ identity_undoubled(x) }} = {{ identity_undoubled(y) }}
        )
        or (
            least(length({{ x }}), length({{ y }})) = 3
            and greatest(length({{ x }}), length({{ y }})) = 4
            and damerau_levenshtein({{ x }}, {{ y }}) = 1
            and left({{ x }}, 1) = left({{ y }}, 1)
            and right({{ x }}, 1) = right({{ y }}, 1)
        )
        {%- endfor %}
        or (
            (length({{ ga }}) = 1 or length({{ gb }}) = 1)
            and left({{ ga }}, 1) = left({{ gb }}, 1)
        )
        or (
            {{ ga }} = {{ b }}.family_name_std
            and (
                jaro_winkler_similarity({{ a }}.family_name_std, {{ gb }}) >= 0.9
                or list_has_any({{ a }}.family_name_aliases, {{ b }}.given_name_aliases)
            )
        )
        or (
            {{ a }}.family_name_std = {{ gb }}
            and (
                jaro_winkler_similarity({{ ga }}, {{ b }}.family_name_std) >= 0.9
                or list_has_any({{ a }}.given_name_aliases, {{ b }}.family_name_aliases)
            )
        )
    )
{%- endmacro %}


{#- identity_undoubled(name): `name` with every run of one repeated letter written once
    (samm -> sam). Mirrors customer_truth.identity.matching.undoubled_sql. -#}
{% macro identity_undoubled(name) -%}
    array_to_string(list_filter(str_split({{ name }}, ''), lambda c, i: i = 1 or c <> str_split({{ name }}, '')[i - 1]), '')
{%- endmacro %}
