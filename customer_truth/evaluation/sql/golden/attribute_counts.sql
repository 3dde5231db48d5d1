-- one attribute's counts: evaluated, correct, answered; per person: evaluated, correct.
-- `attribute` names columns of _scored (evaluation.golden.COMPARISONS), never data.
select
    count(*) filter (where person_id is not null and {{ attribute }}_known),
    count(*) filter (
        where person_id is not null and {{ attribute }}_known and {{ attribute }}_correct
    ),
    count(*) filter (
        where person_id is not null and {{ attribute }}_known and {{ attribute }}_answered
    ),
    count(*) filter (where is_person_primary and {{ attribute }}_known),
    count(*) filter (
        where is_person_primary and {{ attribute }}_known and {{ attribute }}_correct
    ),
from _scored
