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

-- each household's dwelling in the register vintage of its survey year, found by equality on
-- the keys (nearly every household); for the others, the latest earlier vintage, looked up for
-- them alone. (A window over the households joined to every earlier row of the national
-- register took 19 s; the latest vintage found for every household, then its row read by
-- equality, 5.6 s; this 4.7 s, the same rows.)
same_year as (
    select h.survey_year, h.ident_rep, r.vintage, r.siret, r.residence_id, r.depcom,
        r.is_in_qpv, r.finan_class, r.rooms
    from households h
    join {{ ref('fct_dwelling_stock') }} r
        on r.ident_rep = h.ident_rep and r.vintage = h.survey_year
),

earlier as (
    select survey_year, ident_rep, unnest(dwelling)
    from (
        select h.survey_year, h.ident_rep,
            arg_max(struct_pack(r.vintage, r.siret, r.residence_id, r.depcom, r.is_in_qpv,
                r.finan_class, r.rooms), r.vintage) as dwelling
        from (
            select survey_year, ident_rep from households
            anti join same_year using (survey_year, ident_rep)
        ) h
        join {{ ref('fct_dwelling_stock') }} r
            on r.ident_rep = h.ident_rep and r.vintage < h.survey_year
        group by all
    )
),

dwelling as (
    select * from same_year
    union all by name
    select * from earlier
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
