{#-
    purge_erased_profile_history(relation): delete every version of every customer an erasure
    request names from the golden-record history. A customer is named when one of its versions
    holds the erased email or phone, when the erased id is the source record of one of its golden
    values, or when one of its current records carries the erased id. Post-hook of the snapshot
    customer_profile_history (a snapshot never deletes by itself).
-#}
{% macro purge_erased_profile_history(relation) %}
delete from {{ relation }}
where customer_id in (
    with erasures as (
        select
            identifier_type,
            coalesce(identifier_value_normalized, trim(identifier_value)) as erased_value,
            case
                when identifier_type = 'phone'
                    then normalize_phone(identifier_value, '{{ var("identity_default_country", "US") }}')
            end as erased_phone,
        from {{ ref('stg_privacy__erasure_requests') }}
        where identifier_value is not null
    )

    -- equality joins only (a join on an OR cannot hash and would compare every pair)
    select history.customer_id
    from {{ relation }} as history
    inner join erasures
        on erasures.identifier_type = 'email' and history.email = erasures.erased_value

    union

    select history.customer_id
    from {{ relation }} as history
    inner join erasures
        on erasures.identifier_type = 'phone' and history.phone = erasures.erased_phone

    union

    select provenance.customer_id
    from (
        select
            customer_id,
            unnest([
                given_name_source_record_id,
                family_name_source_record_id,
                email_source_record_id,
                phone_source_record_id,
                birth_date_source_record_id,
                address_line1_source_record_id
            ]) as record_id,
        from {{ relation }}
    ) as provenance
    inner join erasures on provenance.record_id = erasures.erased_value

    union

    select crosswalk.customer_id
    from {{ ref('bdg_identity_crosswalk') }} as crosswalk
    inner join erasures
        on erasures.identifier_type not in ('email', 'phone')
        and crosswalk.source_record_id = erasures.erased_value
)
{% endmacro %}
