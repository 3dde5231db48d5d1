{#-
    The given-name rule of identity resolution, written once: dbt renders these macros
    (int_identity__identifier_usage) and so does Python (customer_truth/identity/statements.py:
    the pair guards of resolution and the Splink model's name levels). Pure SQL, no dbt context.

    identity_given_names_compatible(a, b, columns): true when the given names of records `a` and
    `b` (table aliases) can belong to one person: equal, nickname-related (Bob / Robert through
    the nickname seed), one typing error apart, also between formal forms (Bob / Rboert), an
    initial (J / John), or first and last name swapped (identity_names_swapped).
    `columns` names the five name columns (keys given, canonical, aliases, family,
    family_aliases) when a relation calls them otherwise than int_identity__records does. Used to tell a shared identifier (household landline, family
    email: different given names) from one person's identifier seen in several systems.
-#}
{% macro identity_given_names_compatible(a, b, columns=none) -%}
    {%- set c = columns or {
        'given': 'given_name_std',
        'canonical': 'given_name_canonical',
        'aliases': 'given_name_aliases',
        'family': 'family_name_std',
        'family_aliases': 'family_name_aliases',
    } -%}
    {%- set ga, gb = a ~ '.' ~ c.given, b ~ '.' ~ c.given -%}
    {%- set ca, cb = a ~ '.' ~ c.canonical, b ~ '.' ~ c.canonical -%}
    (
        {{ ga }} = {{ gb }}
        or list_has_any({{ a }}.{{ c.aliases }}, {{ b }}.{{ c.aliases }})
        or {{ identity_given_name_typo(ga, gb) }}
        or {{ identity_given_name_typo(ca, cb) }}
        or (
            (length({{ ga }}) = 1 or length({{ gb }}) = 1)
            and left({{ ga }}, 1) = left({{ gb }}, 1)
        )
        or {{ identity_names_swapped(a, b, c) }}
    )
{%- endmacro %}


{#- identity_names_swapped(a, b, columns): first and last name swapped between records `a` and
    `b`: one part equal to the other record's opposite part and the remaining two alike or
    nickname-related (Robinson Emily / Emily Robinson, Robinson Emly / Emily Robinson, Roberts
    Tim / Timothy Roberts: the family-name aliases read a family name as a given name). One part
    alone proves nothing: Emily Robinson and Robinson Maria are two Robinsons. `c` names the
    name columns (as identity_given_names_compatible's `columns`). -#}
{% macro identity_names_swapped(a, b, c) -%}
    (
        (
            {{ a }}.{{ c.given }} = {{ b }}.{{ c.family }}
            and (
                jaro_winkler_similarity({{ a }}.{{ c.family }}, {{ b }}.{{ c.given }}) >= 0.9
                or list_has_any({{ a }}.{{ c.family_aliases }}, {{ b }}.{{ c.aliases }})
            )
        )
        or (
            {{ a }}.{{ c.family }} = {{ b }}.{{ c.given }}
            and (
                jaro_winkler_similarity({{ a }}.{{ c.given }}, {{ b }}.{{ c.family }}) >= 0.9
                or list_has_any({{ a }}.{{ c.aliases }}, {{ b }}.{{ c.family_aliases }})
            )
        )
    )
{%- endmacro %}


{#- identity_given_name_typo(x, y): given names `x` and `y` (SQL expressions) are one typing
    error apart: one insertion, deletion, substitution or transposition, same first letter, four
    letters or more, and not a gendered form of the other (Eric / Erica, Daniel / Danielle);
    or, from three letters, a letter typed twice (Samm / Sam, Zoëë / Zoë); or a three-letter
    name that is a four-letter one with an inner letter dropped (Jhn / John, Ran / Ryan; a
    dropped last letter is another name: Eva / Evan). Short names are otherwise too close to
    each other's to allow an edit. -#}
{% macro identity_given_name_typo(x, y) -%}
    {%- set suffixes = "['a', 'e', 'le', 'ne', 'na', 'ia', 'ette', 'ine']" -%}
    (
        (
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
    )
{%- endmacro %}


{#- identity_undoubled(name): `name` with every run of one repeated letter written once
    (samm -> sam, zoee -> zoe). -#}
{% macro identity_undoubled(name) -%}
    array_to_string(list_filter(str_split({{ name }}, ''), lambda c, i: i = 1 or c <> str_split({{ name }}, '')[i - 1]), '')
{%- endmacro %}

