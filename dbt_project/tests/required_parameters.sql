-- Parameters every build needs, for every year facts are computed for: a landing zone whose
-- raw/acd/parameters.csv lacks one fails here, naming it, instead of silently computing nothing
-- (the agreement's perimeter, acd.departement, restricts every ACD indicator).
with required as (
    select unnest(['acd.departement', 'indicator_b.target', 'indicator_b.decisions',
                   'indicator_b.ranks']) as parameter_name
)

select r.parameter_name, 'missing from raw/acd/parameters.csv' as problem
from required r
where r.parameter_name not in (
    select parameter_name from {{ ref('int_acd__parameter_values') }}
)
