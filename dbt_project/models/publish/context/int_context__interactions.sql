-- The latest var('context_recent_interactions') events of each published customer's timeline that
-- say what already happened and was tried (contacts and transfers, tickets, orders, shipments,
-- invoices and charges, help pages and contact forms), newest first. Browsing is left out.
select
    customer_id,
    occurred_at,
    source_system,
    source_record_id,
    channel,
    event_type,
    intent,
    summary,
    journey_id,
from {{ ref('customer_timeline') }}
where source_system <> 'digital'
    or event_type in ('contact_form_submitted', 'help_article_viewed')
qualify row_number() over (
    partition by customer_id order by occurred_at desc, event_id asc
) <= {{ var('context_recent_interactions', 10) }}
