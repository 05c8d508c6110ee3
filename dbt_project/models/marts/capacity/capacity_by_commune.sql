-- Capacity of each landlord in each commune, in and out of QPV, for the year: the CIA's
-- territorial breakdown, and the fine grain every objective is summed from (full precision).
{% call(key) for_each_key('capacity') %}
with existing as (
    select * from {{ this_year('int_cap__existing', key) }}
),

new as (
    select * from {{ this_year('int_cap__new', key) }}
),

keys as (
    select year, siret, depcom, is_in_qpv from existing
    union
    select year, siret, depcom, is_in_qpv from new
)

select
    k.year,
    k.siret,
    l.landlord_name,
    k.depcom,
    c.commune_name,
    c.territory_id,
    c.territory_name,
    k.is_in_qpv,
    w.tension_zone,
    w.weight,
    r.rotation_rate,
    cast(coalesce(e.dwellings_plai, 0) as bigint) as dwellings_plai,
    cast(coalesce(e.dwellings_plus, 0) as bigint) as dwellings_plus,
    cast(coalesce(e.dwellings_pls, 0) as bigint) as dwellings_pls,
    coalesce(e.perimeter, 0) as perimeter,
    coalesce(e.capacity_existing, 0) as capacity_existing,
    cast(coalesce(n.planned_dwellings, 0) as bigint) as planned_deliveries,
    coalesce(n.planned_weighted, 0) as planned_deliveries_weighted,
    coalesce(n.capacity_new, 0) as capacity_new,
    coalesce(e.capacity_existing, 0) + coalesce(n.capacity_new, 0) as capacity,
    n.actual_dwellings as actual_deliveries,
    n.capacity_new_actual
from keys k
join {{ this_year('int_cap__weights', key) }} w using (year, depcom, is_in_qpv)
join {{ this_year('int_cap__rotation', key) }} r using (year, siret)
left join existing e using (year, siret, depcom, is_in_qpv)
left join new n using (year, siret, depcom, is_in_qpv)
left join {{ ref('dim_commune') }} c on c.depcom = k.depcom
left join {{ ref('dim_landlord') }} l on l.siret = k.siret
{% endcall %}
