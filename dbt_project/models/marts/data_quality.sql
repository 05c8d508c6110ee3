-- Rows the marts keep but cannot place fully, counted per source file: OPS households whose
-- dwelling is in no register vintage (left out of the residence and commune fragility marts,
-- never grouped under a NULL residence), and commission decisions whose dwelling is in no
-- register vintage loaded (kept as new dwellings, without financing class). `attrib run` prints them; analysts check them before reading the marts.
select
    'ops_household_without_register_dwelling' as check_name,
    'ops' as source,
    source_file,
    survey_year as year,
    count(*) as rows_flagged
from {{ ref('fct_occupancy') }}
where residence_key is null
group by all

union all

select
    'decision_dwelling_not_in_register',
    'sne_attributions',
    source_file,
    decision_year,
    count(*)
from {{ ref('fct_attribution') }}
where not dwelling_in_register
group by all

union all

select
    'decision_landlord_not_in_register',
    'sne_attributions',
    source_file,
    decision_year,
    count(*)
from {{ ref('fct_attribution') }}
where siret not in (select siret from {{ ref('dim_landlord') }})
group by all
