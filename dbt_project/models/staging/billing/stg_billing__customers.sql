-- One row per Stripe customer (cus_ id). Stripe objects carry no modification time, so the
-- latest batch wins (then the last line).
--
-- Deletes: a deleted customer arrives as a stub {id, object, deleted: true} with no attributes.
-- `is_deleted` and `deleted_batch_id` come from the latest version; the attributes and lineage
-- columns come from the latest NON-deleted version when there is one, so identity resolution can
-- still map a deleted customer to its survivor by email, phone or metadata. A customer only ever
-- seen as a stub keeps its id, flagged, with null attributes.
{%- set payload_shape = {
    "email": "VARCHAR",
    "phone": "VARCHAR",
    "name": "VARCHAR",
    "address": {
        "line1": "VARCHAR",
        "line2": "VARCHAR",
        "city": "VARCHAR",
        "state": "VARCHAR",
        "postal_code": "VARCHAR",
        "country": "VARCHAR",
    },
    "metadata": "JSON",
    "delinquent": "VARCHAR",
    "created": "VARCHAR",
    "deleted": "VARCHAR",
} %}

with

source as (
    select
        record_key,
        {{ parse_json_payload('payload', payload_shape) }} as record,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from {{ source('raw', 'billing__customers') }}
),

unnested as (
    select
        *,
        {{ parse_json_payload(
            'record.metadata', {"crm_contact_id": "VARCHAR", "shop_customer_id": "VARCHAR"}
        ) }} as meta,
    from source
),

renamed as (
    select
        record_key as billing_customer_id,
        {{ clean_text('record.email') }} as email,
        {{ normalize_email('record.email') }} as email_normalized,
        {{ clean_text('record.phone') }} as phone,
        {{ clean_text('record.name') }} as customer_name,
        {{ clean_text('record.address.line1') }} as address_line1,
        {{ clean_text('record.address.line2') }} as address_line2,
        {{ clean_text('record.address.city') }} as address_city,
        {{ clean_text('record.address.state') }} as address_state,
        {{ clean_text('record.address.postal_code') }} as address_postal_code,
        {{ clean_text('record.address.country') }} as address_country,
        {{ clean_text('meta.crm_contact_id') }} as crm_contact_id,
        {{ clean_text('meta.shop_customer_id') }} as shop_customer_id,
        try_cast({{ clean_text('meta.shop_customer_id') }} as bigint) as commerce_customer_id,
        record.metadata as metadata,
        {{ parse_boolean('record.delinquent') }} as is_delinquent,
        {{ to_utc('record.created') }} as created_at,
        coalesce({{ parse_boolean('record.deleted') }}, false) as is_deleted,
        batch_id,
        extracted_at,
        source_file,
        line_number,
    from unnested
),

latest_version as (
    select
        billing_customer_id,
        is_deleted,
        batch_id,
    from renamed
    qualify row_number() over (
        partition by billing_customer_id
        order by batch_id desc, line_number desc
    ) = 1
),

latest_attributes as (
    -- live versions first, then the latest batch, then the last line
    select * exclude (is_deleted) from renamed
    qualify row_number() over (
        partition by billing_customer_id
        order by is_deleted asc, batch_id desc, line_number desc
    ) = 1
)

select
    latest_attributes.billing_customer_id,
    latest_attributes.email,
    latest_attributes.email_normalized,
    latest_attributes.phone,
    latest_attributes.customer_name,
    latest_attributes.address_line1,
    latest_attributes.address_line2,
    latest_attributes.address_city,
    latest_attributes.address_state,
    latest_attributes.address_postal_code,
    latest_attributes.address_country,
    latest_attributes.crm_contact_id,
    latest_attributes.shop_customer_id,
    latest_attributes.commerce_customer_id,
    latest_attributes.metadata,
    latest_attributes.is_delinquent,
    latest_attributes.created_at,
    latest_version.is_deleted,
    case when latest_version.is_deleted then latest_version.batch_id end as deleted_batch_id,
    latest_attributes.batch_id,
    latest_attributes.extracted_at,
    latest_attributes.source_file,
    latest_attributes.line_number,
from latest_attributes
inner join latest_version
    on latest_attributes.billing_customer_id = latest_version.billing_customer_id
