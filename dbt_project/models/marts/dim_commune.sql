-- One row per commune of France in the latest COG vintage loaded (INSEE's official geographic
-- code, raw/cog/), with what the agreement says of it: its territory and tension zone when it
-- is in the agreement's perimeter (acd/territories.csv, acd/commune_tension.csv), its QPV. A
-- commune of the agreement's tables missing from the COG (an outdated code) is kept, flagged
-- in_cog = false.
with cog as (
    select * from {{ ref('stg_cog__communes') }}
    qualify cog_vintage = max(cog_vintage) over ()
),

territories as (
    select * from {{ ref('stg_acd__territories') }}
),

zones as (
    select * from {{ ref('stg_acd__commune_tension') }}
),

qpv as (
    select depcom, count(*) as qpv_count from {{ ref('stg_acd__qpv') }} group by depcom
),

communes as (
    select
        coalesce(c.depcom, t.depcom) as depcom,
        coalesce(t.commune_name, c.commune_name) as commune_name,
        c.commune_name as cog_commune_name,
        coalesce(c.departement, {{ departement_of('t.depcom') }}) as departement,
        c.region,
        c.population,
        c.cog_vintage,
        c.depcom is not null as in_cog,
        t.territory_id,
        t.territory_name,
        t.epci_siren,
        t.epci_name
    from cog c
    full join territories t on t.depcom = c.depcom
)

select
    m.depcom,
    m.commune_name,
    m.departement,
    z.tension_zone,
    z.tension_zone_label,
    m.territory_id,
    m.territory_name,
    m.epci_siren,
    m.epci_name,
    coalesce(q.qpv_count, 0) > 0 as has_qpv,
    coalesce(q.qpv_count, 0) as qpv_count,
    m.territory_id is not null as in_agreement_territories,
    m.region,
    m.population,
    m.in_cog,
    m.cog_vintage,
    m.cog_commune_name
from communes m
left join zones z on z.depcom = m.depcom
left join qpv q on q.depcom = m.depcom
