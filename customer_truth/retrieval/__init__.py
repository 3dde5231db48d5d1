"""Retrieval for AI consumers: any identifier -> one customer's context, under a consumer policy.

    from customer_truth.retrieval import lookup
    response = lookup("(415) 555-0123", consumer="support_agent_ai", home=settings)
    response.status       # "found" | "ambiguous" | "not_found"
    response.to_json()    # the masked context (or the masked candidates)
    response.text         # the masked plain-text brief

Reads only published tables, through ``customer_truth.publication.reader`` (one release at a
time, current or as of a time), masks per ``policies/consumers.yml`` and appends every read to
the access log. Modules: ``identifiers`` (normalising what a caller typed), ``masking`` (one
value), ``policy`` (a consumer's rules applied to rows, the context JSON and the brief),
``index`` (the per-release cached index), ``access_log``, ``lookup`` (the API).
"""

from customer_truth.retrieval.lookup import ContextResponse, lookup

__all__ = ["ContextResponse", "lookup"]
