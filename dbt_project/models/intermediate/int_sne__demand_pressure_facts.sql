-- One row per SNE year x demand x dimension of the demand pressure (seniority, age, household
-- size, income ceiling band, current housing, requested size, reason, income band, and 'all'),
-- for the demands whose first-choice commune is in a territory, with the band rules (written
-- once, here) and the register line the demand comes from. demand_pressure counts these rows;
-- `attrib explain demand_pressure` lists them (the demands behind a figure). A view.
{{ config(materialized='view') }}
with periods as (
    -- a year-end measure: the periods that are whole years
    select period from ({{ sne_periods() }}) where length(period) = 4
),

demands as (
    select
        p.period,
        d.*,
        case when d.seniority_days < 365 then '1: under 1 year'
             when d.seniority_days < 730 then '2: 1-2 years'
             when d.seniority_days < 1095 then '3: 2-3 years'
             when d.seniority_days < 1826 then '4: 3-5 years'
             else '5: 5 years or more' end as seniority_band,
        case when d.age < 25 then '1: under 25' when d.age < 40 then '2: 25-39'
             when d.age < 60 then '3: 40-59' when d.age < 75 then '4: 60-74'
             else '5: 75 and over' end as age_band,
        case when d.persons >= 5 then '5+' else cast(d.persons as varchar) end as household_size,
        case when d.yearly_income_per_cu < 5000 then '1: under 5 000'
             when d.yearly_income_per_cu < 10000 then '2: 5 000-10 000'
             when d.yearly_income_per_cu < 15000 then '3: 10 000-15 000'
             when d.yearly_income_per_cu < 20000 then '4: 15 000-20 000'
             else '5: 20 000 and over' end as income_band
    from {{ ref('fct_demand') }} d
    join periods p on d.year = {{ year_of_period('p.period') }}
    where d.territory_id is not null
)

select period, year, territory_id, territory_name, dimension, value, demand_key,
       is_active_dec31, is_satisfied_in_year, seniority_days, yearly_income_per_cu,
       first_choice_depcom, source_file, source_line
from demands
unpivot (value for dimension in (
    seniority_band, age_band, household_size, income_ceiling_band, current_housing,
    requested_size, reason_code, income_band
))
union all
select period, year, territory_id, territory_name, 'all', 'all', demand_key,
       is_active_dec31, is_satisfied_in_year, seniority_days, yearly_income_per_cu,
       first_choice_depcom, source_file, source_line
from demands
