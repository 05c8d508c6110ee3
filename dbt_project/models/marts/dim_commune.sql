-- One row per commune of the agreement's territories (Haute-Garonne and Grand Montauban).
with territories as (
    select * from {{ ref('stg_acd__territories') }}
),

zones as (
    select * from {{ ref('stg_acd__commune_tension') }}
),

qpv as (
    select depcom, count(*) as qpv_count from {{ ref('stg_acd__qpv') }} group by depcom
)

select
    t.depcom,
    t.commune_name,
    left(t.depcom, 2) as departement,
    z.tension_zone,
    z.tension_zone_label,
    t.territory_id,
    t.territory_name,
    t.epci_siren,
    t.epci_name,
    coalesce(q.qpv_count, 0) > 0 as has_qpv,
    coalesce(q.qpv_count, 0) as qpv_count
from territories t
left join zones z using (depcom)
left join qpv q using (depcom)
