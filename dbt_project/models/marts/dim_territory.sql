-- One row per territory of the agreement: the five CIL intercommunalities, "Reste du 31",
-- and Grand Montauban.
with communes as (
    select * from {{ ref('dim_commune') }}
),

policies as (
    select territory_id, count(*) as cia_targets from {{ ref('stg_cia__policies') }}
    group by territory_id
)

select
    c.territory_id,
    any_value(c.territory_name) as territory_name,
    min(c.departement) as departement,
    count(*) as commune_count,
    count(*) filter (where c.has_qpv) as communes_with_qpv,
    count(distinct c.epci_siren) as epci_count,
    coalesce(any_value(p.cia_targets), 0) > 0 as has_cia_policy
from communes c
left join policies p using (territory_id)
where c.in_agreement_territories
group by c.territory_id
