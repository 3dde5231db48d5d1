-- guarded_pairs: every model-scored pair with the guard that refuses it. A pair whose common
-- ground is shared by several people of this data (`household_context`: a shared email or
-- phone, a household address) and which has no `person_evidence` (compatible given names,
-- the same birth date, a personal email or phone) never links.
-- Reads predictions (Splink's scored pairs), features.
-- The given-name rule is dbt's macro (dbt_project/macros/identity_given_names_compatible.sql),
-- over the features' names for the name columns.
{%- set feature_names = {
    'given': 'given_name',
    'canonical': 'given_canonical',
    'aliases': 'given_aliases',
    'family': 'family_name',
    'family_aliases': 'family_aliases',
} %}
create or replace temp table guarded_pairs as
with compared as (
    select
        p.unique_id_l,
        p.unique_id_r,
        p.match_probability,
        p.match_weight,
        (
            l.given_name is not null and r.given_name is not null
            and {{ identity_given_names_compatible('l', 'r', feature_names) }}
        )
        or l.birth_date = r.birth_date
        or (l.email = r.email and not l.email_is_shared)
        or list_has_any(l.phones_personal, r.phones_personal) as person_evidence,
        (l.email = r.email and l.email_is_shared)
        or list_has_any(l.phones_shared, r.phones_shared)
        or (l.address_key = r.address_key and l.address_is_shared) as household_context,
        l.given_name is not null and r.given_name is not null as both_named,
        l.birth_date is not null and r.birth_date is not null
            and l.birth_date <> r.birth_date as birth_dates_differ,
        (l.email = r.email and not l.email_is_shared)
            or list_has_any(l.phones_personal, r.phones_personal) as shares_personal_identifier,
    from predictions as p
    inner join features as l on p.unique_id_l = l.unique_id
    inner join features as r on p.unique_id_r = r.unique_id
)
select
    unique_id_l,
    unique_id_r,
    match_probability,
    match_weight,
    case
        when coalesce(household_context, false) and not coalesce(person_evidence, false)
            then case when both_named then 'given_names_conflict' else 'shared_identifier_only' end
    end as guard_reason,
    coalesce(birth_dates_differ, false) as birth_dates_differ,
    coalesce(shares_personal_identifier, false) as shares_personal_identifier,
from compared
