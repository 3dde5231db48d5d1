-- One input of a link_only setup: the rows of the baseline's frame whose `column` (the setup's
-- split column, a name from code) holds $part.
select * from baseline_frame where {{ column }} = $part
