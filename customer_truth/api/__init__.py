"""How AI agents reach the customer truth over a network interface, with a key per consumer.

- ``keys``: API keys (only their hashes stored, under ``$CUSTOMER_TRUTH_HOME/keys/``); a key
  decides the consumer, and so the policy of ``policies/consumers.yml``;
- ``reads``: what both servers answer, over ``customer_truth.retrieval`` (policy, masking,
  access log) pinned to one release per request (``ServedRelease``);
- ``http``: ``customer-truth serve``, FastAPI on uvicorn;
- ``mcp_server``: ``customer-truth mcp``, the Model Context Protocol over stdio or HTTP;
- the interaction log the agents write is ``customer_truth.interaction_log``.

The servers are thin: every rule (who may read what, how it is masked, what is logged) is
written once, in ``customer_truth.retrieval`` and ``customer_truth.privacy``.
"""
