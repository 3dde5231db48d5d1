"""Identity: resolving source records into customers, and keeping their ids stable."""
