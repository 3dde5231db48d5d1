-- Every distinct timeline summary, redacted once (customer_truth/privacy/redaction.py).
--
-- Redaction runs a Python matcher per text and is the costliest step of the publish candidates;
-- most summaries of a day's run were already redacted the day before. So this is incremental:
-- a run redacts only the texts it has not redacted under the current rules. A text is keyed by
-- its sha256 and stored only redacted, never in clear; a change of the rules
-- (`redaction_version()`: the module's text and libphonenumber's version) redoes every text
-- without a full refresh. Texts of events that are gone stay until a full refresh; they are
-- redacted, and nothing reads them but customer_timeline's join.
{{ config(
    materialized='incremental',
    unique_key='text_hash',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

summaries as (
    select distinct summary,
    from {{ ref('fct_customer_timeline') }}
    where summary is not null
),

hashed as (
    select summary, sha256(summary) as text_hash,
    from summaries
)

select
    hashed.text_hash,
    redaction_version() as redaction_version,
    redact_text(hashed.summary) as redacted_summary,
from hashed
{{ memo_not_yet_read('hashed.text_hash', 'redaction_version', 'redaction_version()') }}
