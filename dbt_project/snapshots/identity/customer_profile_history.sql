{#-
    The history of golden records: a type 2 snapshot of dim_customer_profile keyed by
    customer_id. A new version starts when a golden value, its source record, consent, the
    household or the conflict flags change between builds (last_seen_at alone does not make a
    version); a customer who disappears (merged into another id, retired) has its last version
    closed. After each snapshot, every version of a customer named by a processed erasure request
    is deleted (purge_erased_profile_history): erasure is total, history included.
-#}
{% snapshot customer_profile_history %}
{{
    config(
        schema='history',
        unique_key='customer_id',
        strategy='check',
        check_cols=[
            'household_id', 'given_name', 'family_name', 'email', 'phone', 'birth_date',
            'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country',
            'given_name_source_record_id', 'family_name_source_record_id',
            'email_source_record_id', 'phone_source_record_id', 'birth_date_source_record_id',
            'address_line1_source_record_id', 'email_opt_in', 'do_not_call', 'has_conflicts',
            'conflicting_attributes',
        ],
        hard_deletes='invalidate',
        snapshot_meta_column_names={
            'dbt_valid_from': 'valid_from',
            'dbt_valid_to': 'valid_to',
            'dbt_scd_id': 'version_id',
            'dbt_updated_at': 'versioned_at',
        },
        post_hook="{{ purge_erased_profile_history(this) }}",
    )
}}
-- depends_on: {{ ref('stg_privacy__erasure_requests') }}
-- depends_on: {{ ref('bdg_identity_crosswalk') }}
select * from {{ ref('dim_customer_profile') }}
{% endsnapshot %}
