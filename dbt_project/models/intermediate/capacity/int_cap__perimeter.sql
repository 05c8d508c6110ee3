-- Perimeter on 1 January of the year, per landlord x commune x QPV x financing class:
-- the agreement's base RPLS vintage (dwellings in the perimeter, plan-named units excluded up
-- front) plus the family deliveries planned from the base vintage's year to the year before
-- (chained: 1 Jan N+1 = 1 Jan N + deliveries of N). A later vintage only serves the revision.
{% call(key) for_each_key('capacity') %}
with agreement as (
    select * from {{ this_year('int_cap__agreement', key) }}
),

shares as (
    select * from {{ this_year('int_cap__class_shares', key) }}
),

base as (
    select
        s.siret, s.depcom, s.is_in_qpv, s.finan_class,
        count(*) as base_dwellings,
        0 as delivered_dwellings
    from {{ ref('fct_dwelling_stock') }} s
    join agreement a on s.vintage = a.base_vintage
    where s.is_in_perimeter
    group by all
),

delivered as (
    select
        p.siret, p.depcom, p.is_in_qpv, p.finan_class,
        0 as base_dwellings,
        sum(p.dwellings) as delivered_dwellings
    from {{ ref('int_acd__plan_events') }} p
    join agreement a using (agreement_start_year)
    where p.event_kind = 'DELIVERY' and p.housing_kind = 'FAMILY'
      and p.event_year between a.base_vintage and a.year - 1
    group by all
),

combined as (
    select siret, depcom, is_in_qpv, finan_class,
           sum(base_dwellings) as base_dwellings,
           sum(delivered_dwellings) as delivered_dwellings
    from (select * from base union all select * from delivered)
    group by all
)

select
    a.year,
    a.agreement_start_year,
    a.base_vintage,
    c.siret,
    c.depcom,
    c.is_in_qpv,
    c.finan_class,
    c.base_dwellings,
    c.delivered_dwellings,
    c.base_dwellings + c.delivered_dwellings as dwellings,
    s.class_share,
    (c.base_dwellings + c.delivered_dwellings) * s.class_share as perimeter
from combined c
cross join agreement a
join shares s using (finan_class)
{% endcall %}
