-- The quota targets in force each year, for every territory (scope 'territory') and for every
-- département rollup (scope 'departement'). The policy files of raw/cia/ are of three kinds:
-- LAW (every territory), ACD_<département> (the territories of that département), <SIREN>
-- (one intercommunality's CIA). Each file's latest version of a quota valid at or before the
-- year is in force. A territory takes, per quota, its own CIA, else its département's
-- agreement, else the law; a département rollup takes its agreement, else the law: a quota
-- that only some CIAs set has no département target (docs/rules.md, Attribution quotas).
with policies as (
    select
        *,
        case
            when territory_id = 'LAW' then 'law'
            when starts_with(territory_id, 'ACD_') then 'agreement'
            else 'territory'
        end as policy_kind,
        case when starts_with(territory_id, 'ACD_') then substr(territory_id, 5) end
            as policy_departement
    from {{ ref('stg_cia__policies') }}
),

in_force as (
    select y.year, p.*
    from {{ ref('int_years') }} y
    join policies p on p.valid_from <= y.year
    qualify row_number() over (
        partition by y.year, p.territory_id, p.quota order by p.valid_from desc) = 1
),

territories as (
    select territory_id, min({{ departement_of('depcom') }}) as departement
    from {{ ref('stg_acd__territories') }}
    group by territory_id
),

-- every département a lease can fall in: those of the territories and of the decisions
departements as (
    select distinct departement from territories
    union
    select distinct {{ departement_of('decision_depcom') }} from {{ ref('stg_sne__decisions') }}
),

candidates as (
    select
        i.year, 'territory' as scope, t.territory_id, t.departement, i.quota, i.target,
        i.base, i.valid_from, i.policy_source, i.territory_id as policy_file,
        case i.policy_kind when 'territory' then 1 when 'agreement' then 2 else 3 end
            as precedence
    from in_force i
    join territories t
        on (i.policy_kind = 'territory' and i.territory_id = t.territory_id)
        or (i.policy_kind = 'agreement' and i.policy_departement = t.departement)
        or i.policy_kind = 'law'
    union all
    select
        i.year, 'departement', null, d.departement, i.quota, i.target,
        i.base, i.valid_from, i.policy_source, i.territory_id,
        case i.policy_kind when 'agreement' then 2 else 3 end
    from in_force i
    join departements d
        on (i.policy_kind = 'agreement' and i.policy_departement = d.departement)
        or i.policy_kind = 'law'
)

select year, scope, territory_id, departement, quota, target, base, valid_from, policy_source,
       policy_file
from candidates
qualify row_number() over (
    partition by year, scope, territory_id, departement, quota order by precedence) = 1
