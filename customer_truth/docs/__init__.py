"""``customer-truth docs``: the dbt docs and the Great Expectations Data Docs of a home, built
under ``$CUSTOMER_TRUTH_HOME/docs/`` (``build.py``) and served on 127.0.0.1 behind a token made
at each start (``server.py``)."""
