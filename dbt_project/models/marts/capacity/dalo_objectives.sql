-- DALO sub-objective of each landlord for the year (ACD annex 3 phase 4): its objective x the
-- year's DALO share. It exists per landlord only, never per territory. Rounded values
-- apportion the DALO total by largest remainder, so they add up to it.
{% call(key) for_each_key('capacity') %}
with landlords as (
    select year, siret, landlord_name, objective_unrounded, objective
    from {{ this_year('capacity_objectives', key) }}
    where level = 'landlord' and year = {{ capacity_year(key) }}
),

share as (
    select * from {{ this_year('int_cap__dalo_share', key) }}
),

valued as (
    select
        l.*,
        s.dalo_households,
        s.total_objective_unrounded,
        s.dalo_share,
        l.objective_unrounded * s.dalo_share as dalo_unrounded
    from landlords l
    join share s using (year)
)

select
    year,
    siret,
    landlord_name,
    objective_unrounded,
    objective,
    dalo_households,
    total_objective_unrounded,
    dalo_share,
    dalo_unrounded,
    {{ largest_remainder('dalo_unrounded', round_half_up('dalo_households'), 'year',
                         'landlord_name') }} as dalo
from valued
{% endcall %}
