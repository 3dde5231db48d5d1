"""Great Expectations suites as code: one module per gated model, named after it.

``SUITES`` is what the Dagster quality checks are built from (``dagster_project/quality``).
"""

from __future__ import annotations

from customer_truth.quality.gate import GateSuite
from data_quality import (
    bdg_identifier_lookup,
    bdg_identity_crosswalk,
    dim_customer_profile,
    fct_customer_timeline,
    raw__crm__contacts,
    record_customer_ids,
    stg_crm__contacts,
)
from data_quality.publish import (
    customer_context,
    customer_profile,
    customer_timeline,
    identifier_lookup,
    identity_crosswalk,
    proactive_signals,
)

SUITES: tuple[GateSuite, ...] = tuple(
    module.SUITE
    for module in (
        raw__crm__contacts,
        stg_crm__contacts,
        record_customer_ids,
        dim_customer_profile,
        bdg_identity_crosswalk,
        bdg_identifier_lookup,
        fct_customer_timeline,
        customer_profile,
        identity_crosswalk,
        identifier_lookup,
        customer_timeline,
        proactive_signals,
        customer_context,
    )
)
