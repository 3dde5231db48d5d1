-- The columns Splink's SQL asks for (a list code joined), from one of its pipeline's tables.
select {{ columns }}
from {{ relation }}
