-- One row per landlord of the agreement's tables or of the RPLS (the register of the landlords'
-- dwellings). Parties to the agreement keep the names the published tables use and their
-- current rotation class (history in intermediate.int_acd__landlord_rotation); the others take
-- the name the RPLS gives them most often (ties broken by name). The SNE is not read here, so a
-- quarter of SNE does not rebuild the capacity marts: a decision by a landlord of no register
-- vintage is counted in data_quality (decision_landlord_not_in_register).
with agreement as (
    select
        siret,
        landlord_name,
        aliases,
        rotation_rate,
        valid_from as rotation_valid_from,
        rotation_source,
        rotation_rate is not null as is_party_to_acd
    from {{ ref('stg_acd__landlords') }}
    qualify row_number() over (partition by siret order by valid_from desc) = 1
),

register_names as (
    select siret, register_landlord_name, count(*) as dwellings
    from {{ ref('stg_rpls__dwellings') }}
    where siret is not null
    group by all
),

register as (
    select siret, register_landlord_name
    from register_names
    qualify row_number() over (
        partition by siret order by dwellings desc, register_landlord_name) = 1
),

every_siret as (
    select siret from agreement
    union
    select siret from register
)

select
    s.siret,
    coalesce(a.landlord_name, r.register_landlord_name) as landlord_name,
    a.aliases,
    a.rotation_rate,
    a.rotation_valid_from,
    a.rotation_source,
    coalesce(a.is_party_to_acd, false) as is_party_to_acd,
    a.siret is not null as in_agreement_tables,
    r.register_landlord_name,
    r.siret is not null as in_register
from every_siret s
left join agreement a using (siret)
left join register r using (siret)
