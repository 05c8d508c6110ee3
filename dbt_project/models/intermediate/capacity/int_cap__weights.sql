-- Weight of a commune, in and out of QPV (ACD annex 3 phase 2): the tension zone's rate,
-- multiplied by the QPV factor in a QPV (42.5 % -> 21.25 %). Only communes with a zone (the
-- agreement's département) have a weight.
{% call(key) for_each_key('capacity') %}
with params as (
    select * from {{ ref('int_acd__parameter_values') }} where year = {{ capacity_year(key) }}
),

qpv_factor as (
    select cast(parameter_value as double) as qpv_factor, parameter_source as qpv_factor_source
    from params where parameter_name = 'qpv_factor'
),

zone_rates as (
    select
        cast(split_part(parameter_name, '.', 2) as integer) as tension_zone,
        cast(parameter_value as double) as zone_rate,
        parameter_source as zone_rate_source
    from params where parameter_name like 'zone_rate.%'
)

select
    {{ capacity_year(key) }} as year,
    c.depcom,
    q.is_in_qpv,
    c.tension_zone,
    z.zone_rate,
    case when q.is_in_qpv then f.qpv_factor else 1.0 end as qpv_factor,
    z.zone_rate * (case when q.is_in_qpv then f.qpv_factor else 1.0 end) as weight,
    z.zone_rate_source,
    f.qpv_factor_source
from {{ ref('dim_commune') }} c
join zone_rates z using (tension_zone)
cross join qpv_factor f
cross join (select unnest([false, true]) as is_in_qpv) q
{% endcall %}
