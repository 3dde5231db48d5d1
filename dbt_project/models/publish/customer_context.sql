-- Candidate of the published `customer_context`: one row per customer, everything an AI agent
-- needs before it answers, as `context` (JSON) and `context_text` (the same as a short brief for
-- a language-model prompt):
--   identity (linked records, systems, the rules and model scores that linked them, conflicts),
--   golden attributes each with provenance, consent, open work (open tickets, unresolved
--   contacts, orders in flight with their shipments, open or failed invoices), recent
--   interactions with what was already tried, active proactive signals, deterministic guardrails
--   (rule id, decision, reason, facts), and per-source freshness.
-- Built only from publish models and context facts placed through the published identifier
-- lookup, so erasure and redaction already hold. "Now" is the data's as-of.
{%- set attributes = ['given_name', 'family_name', 'email', 'phone', 'birth_date', 'address_line1',
    'address_line2', 'city', 'region', 'postal_code', 'country'] %}
with

profile as (
    select * from {{ ref('customer_profile') }}
),

as_of as (
    select max(as_of) as as_of from {{ ref('int_journeys__as_of') }}
),

freshness as (
    select
        list(struct_pack(source_system := source_system, data_as_of := extracted_through)
            order by source_system) as sources,
    from {{ ref('int_journeys__as_of') }}
),

links as (
    select customer_id, match_rule, count(*) as records, min(match_score) as min_score,
        max(match_score) as max_score,
    from {{ ref('identity_crosswalk') }}
    group by customer_id, match_rule
),

identity as (
    select
        customer_id,
        sum(records) as linked_records,
        list(struct_pack(rule := match_rule, records := records, min_score := min_score,
            max_score := max_score) order by records desc, match_rule asc) as links,
        min(min_score) as weakest_model_score,
    from links
    group by customer_id
),

open_tickets as (
    select customer_id,
        list(struct_pack(ticket_id := ticket_id, status := ticket_status, priority := priority,
            subject := subject, order_name := order_name, created_at := created_at,
            updated_at := updated_at) order by created_at desc) as items,
    from {{ ref('int_context__tickets') }}
    where is_open
    group by customer_id
),

unresolved_contacts as (
    select contacts.customer_id,
        list(struct_pack(contact_id := contacts.contact_id, channel := contacts.channel,
            initiated_at := contacts.initiated_at, intent := contacts.intent,
            outcome := contacts.resolution, order_name := contacts.order_name)
            order by contacts.initiated_at desc) as items,
    from {{ ref('int_context__contacts') }} as contacts, as_of
    where contacts.is_failed
        and contacts.initiated_at > as_of.as_of - to_days(
            cast(guardrail_number('escalate_repeated_failures', 'window_days') as integer))
    group by contacts.customer_id
),

orders_in_flight as (
    select customer_id,
        list(struct_pack(order_name := order_name, created_at := created_at,
            financial_status := financial_status, fulfillment_status := fulfillment_status,
            total := total_price_amount, currency := currency, shipments := shipments)
            order by created_at desc) as items,
    from {{ ref('int_context__orders') }}
    where is_in_flight
    group by customer_id
),

open_invoices as (
    select customer_id,
        list(struct_pack(invoice_id := invoice_id, status := invoice_status,
            amount_remaining_cents := amount_remaining_cents, currency := currency,
            attempt_count := attempt_count, failed_charges := failed_charge_count,
            last_failure_code := last_failure_code, next_payment_attempt_at := next_payment_attempt_at,
            due_at := due_at) order by created_at desc) as items,
    from {{ ref('int_context__invoices') }}
    group by customer_id
),

interactions as (
    select customer_id,
        list(struct_pack(occurred_at := occurred_at, source_system := source_system,
            source_record_id := source_record_id, channel := channel, event_type := event_type,
            intent := intent, summary := summary, journey_id := journey_id)
            order by occurred_at desc) as items,
    from {{ ref('int_context__interactions') }}
    group by customer_id
),

signals as (
    select customer_id,
        list(struct_pack(signal_id := signal_id, signal_type := signal_type,
            detected_at := detected_at, severity := severity, evidence := evidence,
            recommended_action := recommended_action) order by detected_at desc) as items,
    from {{ ref('proactive_signals') }}
    group by customer_id
),

guardrails as (
    select customer_id,
        list(struct_pack(rule_id := rule_id, action := action, subject := subject,
            decision := decision, reason := reason, facts := facts)
            order by rule_id, subject) as items,
    from {{ ref('int_context__guardrails') }}
    group by customer_id
),

assembled as (
    select
        profile.customer_id,
        as_of.as_of,
        struct_pack(
            customer_id := profile.customer_id,
            household_id := profile.household_id,
            linked_records := coalesce(identity.linked_records, 0),
            source_systems := profile.source_systems,
            links := coalesce(identity.links, []),
            weakest_model_score := identity.weakest_model_score,
            has_conflicts := profile.has_conflicts,
            conflicting_attributes := profile.conflicting_attributes
        ) as identity,
        struct_pack(
            {%- for a in attributes %}
            {{ a }} := struct_pack(
                value := cast(profile.{{ a }} as varchar),
                source_system := profile.{{ a }}_source_system,
                source_record_id := profile.{{ a }}_source_record_id,
                observed_at := profile.{{ a }}_observed_at
            ){{ ',' if not loop.last }}
            {%- endfor %}
        ) as profile,
        struct_pack(
            email_opt_in := profile.email_opt_in,
            email_consent_basis := profile.email_consent_basis,
            email_opt_in_source_system := profile.email_opt_in_source_system,
            email_opt_in_observed_at := profile.email_opt_in_observed_at,
            do_not_call := profile.do_not_call,
            do_not_call_source_system := profile.do_not_call_source_system,
            do_not_call_observed_at := profile.do_not_call_observed_at
        ) as consent,
        struct_pack(
            open_tickets := coalesce(open_tickets.items, []),
            unresolved_contacts := coalesce(unresolved_contacts.items, []),
            orders_in_flight := coalesce(orders_in_flight.items, []),
            open_invoices := coalesce(open_invoices.items, [])
        ) as open_work,
        coalesce(interactions.items, []) as recent_interactions,
        coalesce(signals.items, []) as signals,
        coalesce(guardrails.items, []) as guardrails,
        freshness.sources as freshness,
    from profile
    cross join as_of
    cross join freshness
    left join identity using (customer_id)
    left join open_tickets using (customer_id)
    left join unresolved_contacts using (customer_id)
    left join orders_in_flight using (customer_id)
    left join open_invoices using (customer_id)
    left join interactions using (customer_id)
    left join signals using (customer_id)
    left join guardrails using (customer_id)
)

select
    customer_id,
    to_json(struct_pack(
        customer_id := customer_id,
        as_of := as_of,
        identity := identity,
        profile := profile,
        consent := consent,
        open_work := open_work,
        recent_interactions := recent_interactions,
        signals := signals,
        guardrails := guardrails,
        freshness := freshness
    )) as context,
    concat_ws(chr(10),
        'Customer ' || customer_id
            || coalesce(' (' || concat_ws(' ', profile.given_name.value, profile.family_name.value) || ')', '')
            || ', data as of ' || strftime(as_of, '%Y-%m-%d %H:%M UTC') || '.',
        'Identity: ' || identity.linked_records || ' linked records from '
            || array_to_string(identity.source_systems, ', ') || '; linked by '
            || array_to_string(list_transform(identity.links, lambda l: l.rule || ' x' || l.records
                || coalesce(' (score >= ' || round(l.min_score, 3) || ')', '')), ', ')
            || case when identity.has_conflicts
                then '; conflicting sources on ' || array_to_string(identity.conflicting_attributes, ', ')
                else '' end || '.',
        'Contact: email ' || coalesce(profile.email.value, 'unknown') || ', phone '
            || coalesce(profile.phone.value, 'unknown')
            || coalesce(', lives in ' || concat_ws(', ', profile.city.value, profile.country.value), '') || '.',
        'Consent: email marketing ' || case when consent.email_opt_in then 'opted in' else 'not opted in' end
            || '; ' || case when consent.do_not_call then 'do not call' else 'calls allowed' end || '.',
        'Open work: '
            || len(open_work.open_tickets) || ' open tickets'
            || coalesce(' (' || nullif(array_to_string(list_transform(open_work.open_tickets,
                lambda t: t.ticket_id || ' ' || t.status || ': ' || coalesce(t.subject, '')), '; '), '') || ')', '')
            || ', ' || len(open_work.unresolved_contacts) || ' unresolved contacts'
            || ', ' || len(open_work.orders_in_flight) || ' orders in flight'
            || coalesce(' (' || nullif(array_to_string(list_transform(open_work.orders_in_flight,
                lambda o: o.order_name || ' ' || coalesce(array_to_string(list_transform(o.shipments,
                    lambda s: s.status), '/'), 'unshipped')), '; '), '') || ')', '')
            || ', ' || len(open_work.open_invoices) || ' open or failed invoices'
            || coalesce(' (' || nullif(array_to_string(list_transform(open_work.open_invoices,
                lambda i: i.invoice_id || ' ' || i.status || ', ' || i.failed_charges
                    || ' failed charges'), '; '), '') || ')', '')
            || '.',
        'Recent interactions: ' || coalesce(nullif(array_to_string(list_transform(recent_interactions,
            lambda r: strftime(r.occurred_at, '%Y-%m-%d') || ' ' || coalesce(r.summary, r.event_type)),
            '; '), ''), 'none') || '.',
        'Active signals: ' || coalesce(nullif(array_to_string(list_transform(signals,
            lambda s: s.signal_type || ' (' || s.severity || ', since '
                || strftime(s.detected_at, '%Y-%m-%d') || '): ' || s.recommended_action), '; '), ''),
            'none') || '.',
        'Guardrails: ' || array_to_string(list_transform(guardrails,
            lambda g: g.action || coalesce(' ' || g.subject, '') || ': ' || upper(g.decision)
                || ' (' || g.reason || ') [' || g.rule_id || ']'), '; ') || '.',
        'Freshness: ' || array_to_string(list_transform(freshness,
            lambda f: f.source_system || ' data as of '
                || coalesce(strftime(f.data_as_of, '%Y-%m-%d %H:%M UTC'), 'never')), '; ') || '.'
    ) as context_text,
    as_of,
from assembled
