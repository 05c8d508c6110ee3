-- Demand pressure of each territory for the year (SNE; Grand Montauban annex): active demands
-- on 31 December, demands satisfied in the year and their ratio, per dimension and value
-- (the bands are those of int_sne__demand_pressure_facts, one row per demand and dimension);
-- a demand belongs to the territory of its first-choice commune. Year-end measure: quarter
-- partitions hold no row. The first-quartile threshold is recomputed from the demands (25th
-- percentile of yearly income per consumption unit) beside the official one.
{% call(key) for_each_key('period') %}
with long as (
    select * from {{ ref('int_sne__demand_pressure_facts') }}
    where period = {{ period_key(key) }}
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
