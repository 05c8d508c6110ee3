-- The value of every parameter for every year: the latest version valid from that year or
-- before; a year before the first version takes the first version (a parameter applies until
-- it is replaced, and its first version stands for earlier years).
with params as (
    select * from {{ ref('stg_acd__parameters') }}
),

candidates as (
    select
        y.year,
        p.*,
        {{ version_rank('y.year, p.parameter_name', 'p.valid_from', 'y.year') }} as rank
    from {{ ref('int_years') }} y
    cross join params p
)

select
    year,
    parameter_name,
    parameter_value,
    valid_from,
    parameter_source,
    source_file,
    source_line,
    load_id
from candidates
where rank = 1
