-- One row per QPV (priority urban district): those of the reference list (acd/qpv.csv) and
-- every code the RPLS gives a dwelling, flagged in_reference_list. A code met only in the
-- register takes the commune most of its dwellings are in (ties broken by code).
with listed as (
    select qpv_code, qpv_name, depcom, commune_name, qpv_source, is_synthetic
    from {{ ref('stg_acd__qpv') }}
),

met as (
    select qpv_code, depcom, count(*) as dwellings
    from {{ ref('stg_rpls__dwellings') }}
    where qpv_code is not null
    group by all
),

met_once as (
    select qpv_code, depcom
    from met
    qualify row_number() over (partition by qpv_code order by dwellings desc, depcom) = 1
)

select
    coalesce(l.qpv_code, m.qpv_code) as qpv_code,
    l.qpv_name,
    coalesce(l.depcom, m.depcom) as depcom,
    coalesce(l.commune_name, c.commune_name) as commune_name,
    l.qpv_source,
    coalesce(l.is_synthetic, false) as is_synthetic,
    l.qpv_code is not null as in_reference_list
from listed l
full join met_once m on m.qpv_code = l.qpv_code
left join {{ ref('dim_commune') }} c on c.depcom = m.depcom
