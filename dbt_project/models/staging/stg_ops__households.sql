-- One row per occupied dwelling that answered the OPS survey of `survey_year`.
with source as (
    select * from {{ source('raw_validated', 'ops') }}
)

select
    cast(_partition as integer) as survey_year,
    ident_rep as ident_rep,
    nb_occupants as occupants,
    nb_enfants as children_under_18,
    age_titulaire as tenant_age,
    composition as household_type,
    {{ label('ops.COMPOSITION', 'composition') }} as household_type_label,
    ressources_plafond as income_bracket,
    {{ label('ops.RESSOURCES_PLAFOND', 'ressources_plafond') }} as income_bracket_label,
    apl = 'OUI' as receives_housing_allowance,
    activite_titulaire as tenant_activity,
    menage_en_emploi = 'OUI' as household_has_job,
    impaye_3_mois = 'OUI' as has_rent_arrears_3_months,
    emmenage_recent = 'OUI' as moved_in_last_2_years,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from source
