-- Capacity in new stock (ACD annex 3 phase 3): family deliveries planned in the year, with
-- the class shares, x weight (no rotation). Beside it, for the a posteriori revision (8.1),
-- the actual deliveries: the landlord's family dwellings first let in the year, read from the
-- RPLS vintage of 1 January of the next year (null while that vintage is not loaded).
{% call(key) for_each_key('capacity') %}
with agreement as (
    select * from {{ this_year('int_cap__agreement', key) }}
),

shares as (
    select * from {{ this_year('int_cap__class_shares', key) }}
),

planned as (
    select p.siret, p.depcom, p.is_in_qpv,
           sum(p.dwellings) as planned_dwellings,
           {{ exact_sum('p.dwellings * s.class_share') }} as planned_weighted
    from {{ ref('int_acd__plan_events') }} p
    join agreement a using (agreement_start_year)
    join shares s using (finan_class)
    where p.event_kind = 'DELIVERY' and p.housing_kind = 'FAMILY' and p.event_year = a.year
    group by all
),

next_vintage_loaded as (
    select count(*) > 0 as loaded from {{ ref('fct_dwelling_stock') }}
    where vintage = {{ capacity_year(key) }} + 1
),

actual as (
    select d.siret, d.depcom, d.is_in_qpv,
           count(*) as actual_dwellings,
           {{ exact_sum('s.class_share') }} as actual_weighted
    from {{ ref('fct_dwelling_stock') }} d
    join shares s using (finan_class)
    where d.vintage = {{ capacity_year(key) }} + 1
      and d.year_first_let = {{ capacity_year(key) }}
      and not d.is_student and not d.is_thematic
    group by all
),

-- every cell of the landlord's perimeter too: a cell with no delivery has 0 actual deliveries
-- (not null, "unknown") once the next vintage is loaded, so its revised objective counts in
-- the rollups
keys as (
    select siret, depcom, is_in_qpv from planned
    union
    select siret, depcom, is_in_qpv from actual
    union
    select siret, depcom, is_in_qpv from {{ this_year('int_cap__existing', key) }}
)

select
    {{ capacity_year(key) }} as year,
    k.siret,
    k.depcom,
    k.is_in_qpv,
    coalesce(p.planned_dwellings, 0) as planned_dwellings,
    coalesce(p.planned_weighted, 0) as planned_weighted,
    w.weight,
    coalesce(p.planned_weighted, 0) * w.weight as capacity_new,
    case when n.loaded then coalesce(a.actual_dwellings, 0) end as actual_dwellings,
    case when n.loaded then coalesce(a.actual_weighted, 0) * w.weight end as capacity_new_actual
from keys k
join {{ this_year('int_cap__weights', key) }} w
    on w.depcom = k.depcom and w.is_in_qpv = k.is_in_qpv
join {{ this_year('int_cap__rotation', key) }} r on r.siret = k.siret
left join planned p
    on p.siret = k.siret and p.depcom = k.depcom and p.is_in_qpv = k.is_in_qpv
left join actual a
    on a.siret = k.siret and a.depcom = k.depcom and a.is_in_qpv = k.is_in_qpv
cross join next_vintage_loaded n
{% endcall %}
