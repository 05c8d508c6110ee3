-- Objectives of the departmental agreement for the year: one row per landlord x territory
-- ('landlord_territory'), and the rollups per landlord, per territory and for the
-- département, each computed from unrounded values and rounded once; `rounding_difference`
-- reports how far a rollup is from the sum of its rounded cells.
{% call(key) for_each_key('capacity') %}
with cells as (
    select
        c.year, c.siret, c.landlord_name, c.territory_id, c.territory_name,
        sum(c.dwellings_plai) as dwellings_plai,
        sum(c.dwellings_plus) as dwellings_plus,
        sum(c.dwellings_pls) as dwellings_pls,
        {{ exact_sum('c.perimeter') }} as perimeter,
        {{ exact_sum('c.capacity_existing') }} as capacity_existing,
        {{ exact_sum('c.capacity_new') }} as capacity_new,
        coalesce(any_value(s.sale_share), 0) as sale_share,
        {{ exact_sum('c.capacity_new_actual') }} as capacity_new_actual,
        sum(c.actual_deliveries) as actual_deliveries,
        sum(c.planned_deliveries) as planned_deliveries
    from {{ this_year('capacity_by_commune', key) }} c
    left join {{ this_year('int_cap__sale_share', key) }} s using (year, siret)
    where c.year = {{ capacity_year(key) }}
    group by all
),

valued as (
    select
        *,
        (capacity_existing + capacity_new) * (1 - sale_share) as objective_unrounded,
        case when capacity_new_actual is not null
             then (capacity_existing + capacity_new_actual) * (1 - sale_share) end
            as objective_revised_unrounded,
        {{ round_half_up('(capacity_existing + capacity_new) * (1 - sale_share)') }}
            as rounded_cell
    from cells
),

rolled as (
    select
        year,
        case grouping(siret, territory_id)
            when 0 then 'landlord_territory' when 1 then 'landlord'
            when 2 then 'territory' else 'departement' end as level,
        siret,
        case when grouping(siret) = 0 then any_value(landlord_name) end as landlord_name,
        territory_id,
        case when grouping(territory_id) = 0 then any_value(territory_name) end
            as territory_name,
        sum(dwellings_plai) as dwellings_plai,
        sum(dwellings_plus) as dwellings_plus,
        sum(dwellings_pls) as dwellings_pls,
        {{ exact_sum('perimeter') }} as perimeter,
        {{ exact_sum('capacity_existing') }} as capacity_existing,
        {{ exact_sum('capacity_new') }} as capacity_new,
        case when grouping(siret) = 0 then any_value(sale_share) end as sale_share,
        {{ exact_sum('objective_unrounded') }} as objective_unrounded,
        sum(rounded_cell) as sum_of_rounded_cells,
        sum(planned_deliveries) as planned_deliveries,
        sum(actual_deliveries) as actual_deliveries,
        {{ exact_sum('objective_revised_unrounded') }} as objective_revised_unrounded
    from valued
    group by grouping sets ((year, siret, territory_id), (year, siret), (year, territory_id), (year))
)

select
    year,
    level,
    siret,
    landlord_name,
    territory_id,
    territory_name,
    cast(dwellings_plai as bigint) as dwellings_plai,
    cast(dwellings_plus as bigint) as dwellings_plus,
    cast(dwellings_pls as bigint) as dwellings_pls,
    perimeter,
    capacity_existing,
    capacity_new,
    sale_share,
    objective_unrounded,
    {{ round_half_up('objective_unrounded') }} as objective,
    cast(sum_of_rounded_cells as bigint) as sum_of_rounded_cells,
    cast(objective - sum_of_rounded_cells as bigint) as rounding_difference,
    cast(planned_deliveries as bigint) as planned_deliveries,
    cast(actual_deliveries as bigint) as actual_deliveries,
    objective_revised_unrounded,
    {{ round_half_up('objective_revised_unrounded') }} as objective_revised,
    objective_revised_unrounded - objective_unrounded as revision_gap_unrounded,
    objective_revised - objective as revision_gap
from rolled
{% endcall %}
