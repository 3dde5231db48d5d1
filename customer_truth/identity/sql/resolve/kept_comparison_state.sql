-- The fingerprint of the comparison vectors the warehouse keeps (none before a first run).
select fingerprint from identity.comparison_state
