-- Rotation rate of each landlord for each year: the latest class valid from that year or
-- before (ACD 8.2: a class can be revised), else the first one.
with candidates as (
    select
        y.year,
        l.*,
        {{ version_rank('y.year, l.siret', 'l.valid_from', 'y.year') }} as rank
    from {{ ref('int_years') }} y
    cross join {{ ref('stg_acd__landlords') }} l
)

select year, siret, landlord_name, rotation_rate, valid_from, rotation_source
from candidates
where rank = 1
