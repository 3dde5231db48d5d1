-- Candidate of the published `proactive_signals`: the active signals of customers who were not
-- erased (marts.fct_proactive_signals); free text in the evidence (a ticket subject) redacted.
select
    signals.signal_id,
    signals.customer_id,
    signals.signal_type,
    signals.detected_at,
    signals.severity,
    case
        when signals.evidence ->> 'subject' is not null
            then json_merge_patch(signals.evidence,
                json_object('subject', {{ redact_free_text("signals.evidence ->> 'subject'") }}))
        else signals.evidence
    end as evidence,
    signals.recommended_action,
    signals.as_of,
from {{ ref('fct_proactive_signals') }} as signals
where signals.customer_id not in {{ erased_customer_ids() }}
