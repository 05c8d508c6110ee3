-- Grand Montauban's classification of residences outside QPV by their capacity to take
-- first-quartile households, from the share of households with very modest income (the
-- poverty criterion); thresholds are parameters.
{% call(key) for_each_key('survey') %}
with rule as (
    select
        cast(any_value(parameter_value) filter (
            where parameter_name = 'q1_capacity.vigilance_share') as double) as vigilance,
        cast(any_value(parameter_value) filter (
            where parameter_name = 'q1_capacity.closed_share') as double) as closed
    from {{ ref('int_acd__parameter_values') }}
    where year = {{ survey_year(key) }}
)

select
    f.survey_year,
    f.residence_key,
    f.residence_name,
    f.siret,
    f.residence_id,
    f.depcom,
    f.territory_id,
    f.households,
    f.households_very_modest_income,
    f.share_very_modest_income,
    case
        when f.share_very_modest_income >= r.closed then 'should_not'
        when f.share_very_modest_income >= r.vigilance then 'a_few_with_vigilance'
        else 'can_take'
    end as q1_capacity_class,
    r.vigilance as vigilance_threshold,
    r.closed as closed_threshold
from {{ ref('fragility_residence') }} f
cross join rule r
where f.survey_year = {{ survey_year(key) }} and not coalesce(f.is_in_qpv, false)
{% endcall %}
