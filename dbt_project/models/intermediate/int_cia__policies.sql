-- The quota targets of every territory for every year: its own CIA file (raw/cia/<id>.csv),
-- else the DEFAULT file (law and ACD defaults); the latest version valid at or before the year.
with policies as (
    select * from {{ ref('stg_cia__policies') }}
),

territories as (
    select territory_id, territory_id in (select territory_id from policies) as has_own
    from {{ ref('dim_territory') }}
    union all
    select 'DEFAULT', true
),

applicable as (
    select
        y.year,
        t.territory_id,
        p.quota,
        p.target,
        p.base,
        p.valid_from,
        p.policy_source,
        p.territory_id as policy_file,
        row_number() over (
            partition by y.year, t.territory_id, p.quota order by p.valid_from desc
        ) as rank
    from {{ ref('int_years') }} y
    cross join territories t
    join policies p
        on p.territory_id = case when t.has_own then t.territory_id else 'DEFAULT' end
       and p.valid_from <= y.year
)

select year, territory_id, quota, target, base, valid_from, policy_source, policy_file
from applicable
where rank = 1
