-- Demand pressure of each territory for the year (SNE; Grand Montauban annex): active demands
-- on 31 December, demands satisfied in the year and their ratio, per dimension and value; a
-- demand belongs to the territory of its first-choice commune. Year-end measure: quarter
-- partitions hold no row. The first-quartile threshold is recomputed from the demands (25th
-- percentile of yearly income per consumption unit) beside the official one.
{% call(key) for_each_key('period') %}
with demands as (
    select
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
    where d.year = {{ period_year(key) }} and {{ period_is_year(key) }} and d.territory_id is not null
),

long as (
    select territory_id, territory_name, epci_siren, dimension, value, is_active_dec31,
           is_satisfied_in_year, seniority_days, yearly_income_per_cu
    from demands
    unpivot (value for dimension in (
        seniority_band, age_band, household_size, income_ceiling_band, current_housing,
        requested_size, reason_code, income_band
    ))
    union all
    select territory_id, territory_name, epci_siren, 'all', 'all', is_active_dec31,
           is_satisfied_in_year, seniority_days, yearly_income_per_cu
    from demands
),

thresholds as (
    select t.territory_id, any_value(q.threshold_eur) as official_q1_threshold_eur
    from {{ ref('dim_territory') }} t
    join {{ ref('int_acd__q1_thresholds') }} q
        on q.epci_siren = t.territory_id and q.year = {{ period_year(key) }}
    group by t.territory_id
)

select
    {{ period_key(key) }} as period,
    {{ period_year(key) }} as year,
    l.territory_id,
    any_value(l.territory_name) as territory_name,
    l.dimension,
    l.value,
    count(*) filter (where l.is_active_dec31) as active_dec31,
    count(*) filter (where l.is_satisfied_in_year) as satisfied,
    case when satisfied > 0 then active_dec31 / satisfied end as pressure,
    avg(l.seniority_days) filter (where l.is_satisfied_in_year) / 30.4375
        as mean_seniority_months_satisfied,
    quantile_cont(l.yearly_income_per_cu, 0.25) filter (where l.is_active_dec31)
        as recomputed_q1_threshold_eur,
    any_value(t.official_q1_threshold_eur) as official_q1_threshold_eur
from long l
left join thresholds t using (territory_id)
group by l.territory_id, l.dimension, l.value
{% endcall %}
