-- Capacity in existing stock (ACD annex 3 phase 3): perimeter x weight x rotation rate,
-- per landlord x commune x QPV.
{% call(key) for_each_key('capacity') %}
with perimeter as (
    select year, siret, depcom, is_in_qpv,
           sum(dwellings) filter (where finan_class = 'PLAI') as dwellings_plai,
           sum(dwellings) filter (where finan_class = 'PLUS') as dwellings_plus,
           sum(dwellings) filter (where finan_class = 'PLS') as dwellings_pls,
           {{ exact_sum('perimeter') }} as perimeter
    from {{ this_year('int_cap__perimeter', key) }}
    group by all
)

select
    p.year,
    p.siret,
    p.depcom,
    p.is_in_qpv,
    coalesce(p.dwellings_plai, 0) as dwellings_plai,
    coalesce(p.dwellings_plus, 0) as dwellings_plus,
    coalesce(p.dwellings_pls, 0) as dwellings_pls,
    p.perimeter,
    w.weight,
    r.rotation_rate,
    p.perimeter * w.weight * r.rotation_rate as capacity_existing
from perimeter p
join {{ this_year('int_cap__weights', key) }} w using (year, depcom, is_in_qpv)
join {{ this_year('int_cap__rotation', key) }} r using (year, siret)
{% endcall %}
