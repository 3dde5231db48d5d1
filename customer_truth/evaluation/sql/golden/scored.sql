-- per customer: its truth person, and per attribute whether the truth knows it, the golden
-- record answers and the two agree. `comparisons` (evaluation.golden.COMPARISONS): attribute,
-- truth expression, golden expression, eq or in; constants of code, never data.
create or replace temp table _scored as
with

overlap as (
    -- how many records of each truth person each customer holds
    select
        crosswalk.customer_id,
        truth.person_id,
        count(*) as n_records,
    from _crosswalk as crosswalk
    inner join _truth_records as truth
        on
            crosswalk.source_system || ':' || crosswalk.source_entity || ':'
            || crosswalk.source_record_id = truth.record_uid
    group by crosswalk.customer_id, truth.person_id
),

mapping as (
    -- a customer is the person holding most of its records
    select customer_id, person_id,
    from overlap
    qualify row_number() over (
        partition by customer_id order by n_records desc, person_id
    ) = 1
),

person_primary as (
    -- a person's main customer: the one holding most of the person's records
    select customer_id, person_id, true as is_person_primary,
    from overlap
    qualify row_number() over (
        partition by person_id order by n_records desc, customer_id
    ) = 1
),

truth as (
    select
        person_id,
        given_name,
        family_name,
        cast(birth_date as varchar) as birth_date,
        address_line1,
        city,
        region,
        postal_code,
        country,
        cast(email_opt_in as boolean) as email_opt_in,
        cast(do_not_call as boolean) as do_not_call,
        list_transform(
            list_filter(emails, lambda e: coalesce(e.is_primary, false)),
            lambda e: lower(trim(e.address))
        )[1] as primary_email,
        list_transform(emails, lambda e: lower(trim(e.address))) as all_emails,
        list_transform(
            list_filter(phones, lambda p: coalesce(p.is_primary, false)), lambda p: p.e164
        )[1] as primary_phone,
        list_transform(phones, lambda p: p.e164) as all_phones,
    from _persons
),

golden as (
    select
        customer_id,
        cast(given_name as varchar) as given_name,
        cast(family_name as varchar) as family_name,
        lower(trim(cast(email as varchar))) as email,
        cast(phone as varchar) as phone,
        cast(cast(birth_date as date) as varchar) as birth_date,
        cast(address_line1 as varchar) as address_line1,
        cast(city as varchar) as city,
        cast(region as varchar) as region,
        cast(postal_code as varchar) as postal_code,
        cast(country as varchar) as country,
        cast(email_opt_in as boolean) as email_opt_in,
        cast(do_not_call as boolean) as do_not_call,
    from _profile
)

select
    golden.customer_id,
    mapping.person_id,
    coalesce(person_primary.is_person_primary, false) as is_person_primary,
    {%- for attribute, truth, golden, comparison in comparisons %}
    {%- if comparison == "in" %}
    coalesce(len({{ truth }}), 0) > 0 as {{ attribute }}_known,
    {{ golden }} is not null as {{ attribute }}_answered,
    coalesce(list_contains({{ truth }}, {{ golden }}), false) as {{ attribute }}_correct,
    {%- else %}
    {{ truth }} is not null as {{ attribute }}_known,
    {{ golden }} is not null as {{ attribute }}_answered,
    coalesce({{ golden }} = {{ truth }}, false) as {{ attribute }}_correct,
    {%- endif %}
    {%- endfor %}
from golden
left join mapping using (customer_id)
left join person_primary using (customer_id, person_id)
left join truth using (person_id)
