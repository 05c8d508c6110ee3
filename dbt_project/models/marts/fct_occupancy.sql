-- One row per OPS household, joined to its dwelling in the RPLS vintage of the survey year
-- (else the latest earlier one) and to its residence.
-- The dwelling's row is read from fct_dwelling_stock, a table, not from the views over the
-- register: the view's casts and class join recomputed for 5.4 million dwellings twice cost
-- 3 s more of the France build (dbt alone, 35.5 s against 32.6 s). The occupancy takes none
-- of the stock's perimeter flags, but a change of plans now rebuilds it with the stock.
-- not materialized: a CTE read twice is otherwise copied whole, and the copy of 4.6 million
-- households spilled to disk (8.0 s; read twice from the raw table, 6.4 s, no spill)
with households as not materialized (
    select * from {{ ref('stg_ops__households') }}
),

-- the register vintage of each household's dwelling: found on the keys alone, then the
-- dwelling's row read by equality (a window over the households joined to every earlier row
-- of the national register took 19 s, this 4)
register_vintage as (
    select h.survey_year, h.ident_rep, max(r.vintage) as vintage
    from households h
    join {{ ref('fct_dwelling_stock') }} r
        on r.ident_rep = h.ident_rep and r.vintage <= h.survey_year
    group by all
),

dwelling as (
    select v.survey_year, v.ident_rep, r.*
    exclude (ident_rep, source_file, source_line, load_id)
    from register_vintage v
    join {{ ref('fct_dwelling_stock') }} r
        on r.ident_rep = v.ident_rep and r.vintage = v.vintage
)

select
    h.survey_year,
    h.ident_rep,
    d.vintage as register_vintage,
    d.siret,
    d.residence_id,
    d.siret || '-' || d.residence_id as residence_key,
    d.depcom,
    c.territory_id,
    d.is_in_qpv,
    d.finan_class,
    d.rooms,
    h.occupants,
    h.children_under_18,
    h.tenant_age,
    h.household_type,
    h.household_type_label,
    h.income_bracket,
    h.income_bracket_label,
    h.receives_housing_allowance,
    h.tenant_activity,
    h.household_has_job,
    h.has_rent_arrears_3_months,
    h.moved_in_last_2_years,
    v.commercial_vacancy_rate,
    h.source_file,
    h.source_line,
    h.load_id
from households h
left join dwelling d using (survey_year, ident_rep)
left join {{ ref('dim_commune') }} c on c.depcom = d.depcom
left join {{ ref('stg_ops__commercial_vacancy') }} v
    on v.survey_year = h.survey_year and v.siret = d.siret and v.residence_id = d.residence_id
