-- Each OPS household's potential fragility (Sicoval CIA art. 2): nine criteria, each a
-- parameter with its source, counted into a level (1-2 low, 3-4 medium, 5-8 high, 9 very
-- high). No identifier of a person: the household is the sha256 of dwelling and survey year
-- (not a pseudonym: OPS identifies dwellings, whose ids are public in RPLS).
-- A view: its two readers (fragility_by) group it by residence and commune, and a table of 4.6
-- million households in France took 4.3 s to build for them. Its grain is fct_occupancy's
-- (one household per survey and dwelling), tested there.
{{ config(materialized='view') }}
{% call(key) for_each_key('survey', every_key=true) %}
with params as (
    select parameter_name, parameter_value
    from {{ ref('int_acd__parameter_values') }} where year = {{ survey_year(key) }}
),

p as (
    select
        cast(any_value(parameter_value) filter (
            where parameter_name = 'fragility.commercial_vacancy_threshold') as double)
            as vacancy_threshold,
        cast(any_value(parameter_value) filter (
            where parameter_name = 'fragility.overcrowding_persons_per_room') as double)
            as persons_per_room,
        string_split(any_value(parameter_value) filter (
            where parameter_name = 'fragility.no_job_activities'), '|') as no_job_activities,
        string_split(any_value(parameter_value) filter (
            where parameter_name = 'fragility.very_modest_income_brackets'), '|')
            as modest_brackets,
        cast(any_value(parameter_value) filter (
            where parameter_name = 'fragility.large_family_children') as integer)
            as large_family_children
    from params
),

criteria as (
    select
        o.survey_year,
        sha256(o.ident_rep || '|' || cast(o.survey_year as varchar)) as household_key,
        o.residence_key,
        o.siret,
        o.residence_id,
        o.depcom,
        o.territory_id,
        o.is_in_qpv,
        coalesce(o.commercial_vacancy_rate > p.vacancy_threshold, false)
            as c_commercial_vacancy,
        coalesce(o.occupants >= p.persons_per_room * o.rooms, false) as c_overcrowding,
        not o.household_has_job as c_no_link_to_employment,
        list_contains(p.no_job_activities, o.tenant_activity) as c_precarious_or_no_job,
        list_contains(p.modest_brackets, cast(o.income_bracket as varchar))
            as c_very_modest_income,
        o.children_under_18 >= p.large_family_children as c_large_family,
        o.household_type = 'FM' as c_single_parent,
        o.receives_housing_allowance as c_housing_allowance,
        o.has_rent_arrears_3_months as c_rent_arrears,
        o.source_file,
        o.source_line
    from {{ ref('fct_occupancy') }} o
    cross join p
    where o.survey_year = {{ survey_year(key) }}
)

select
    *,
    c_commercial_vacancy::int + c_overcrowding::int + c_no_link_to_employment::int
        + c_precarious_or_no_job::int + c_very_modest_income::int + c_large_family::int
        + c_single_parent::int + c_housing_allowance::int + c_rent_arrears::int
        as criteria_count,
    case
        when criteria_count = 0 then 'none'
        when criteria_count <= 2 then 'low'
        when criteria_count <= 4 then 'medium'
        when criteria_count <= 8 then 'high'
        else 'very_high'
    end as fragility_level
from criteria
{% endcall %}
