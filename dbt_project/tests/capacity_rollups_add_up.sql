-- Every rollup of capacity_objectives equals the sum of the landlord x territory cells it
-- totals (unrounded), so rounding is the only possible difference between levels.
with cells as (
    select * from {{ ref('capacity_objectives') }} where level = 'landlord_territory'
),

expected as (
    select year, 'landlord' as level, siret, null as territory_id,
           sum(objective_unrounded) as expected from cells group by year, siret
    union all
    select year, 'territory', null, territory_id, sum(objective_unrounded)
    from cells group by year, territory_id
    union all
    select year, 'departement', null, null, sum(objective_unrounded) from cells group by year
)

select o.year, o.level, o.siret, o.territory_id, o.objective_unrounded, e.expected
from {{ ref('capacity_objectives') }} o
join expected e
    on e.year = o.year and e.level = o.level
   and e.siret is not distinct from o.siret
   and e.territory_id is not distinct from o.territory_id
where abs(o.objective_unrounded - e.expected) > 1e-6
