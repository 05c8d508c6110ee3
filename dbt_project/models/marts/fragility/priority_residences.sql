-- Candidates for "résidences à enjeu prioritaire de mixité sociale" (the legal list awaits a
-- decree): residences where more than the parameter's share of households (default a quarter;
-- exactly a quarter is not more) show high or very high potential fragility.
{% call(key) for_each_key('survey') %}
with rule as (
    select cast(parameter_value as double) as threshold, parameter_source
    from {{ ref('int_acd__parameter_values') }}
    where year = {{ survey_year(key) }} and parameter_name = 'fragility.priority_residence_share'
)

select
    f.survey_year,
    f.residence_key,
    f.residence_name,
    f.siret,
    f.residence_id,
    f.depcom,
    f.territory_id,
    f.is_in_qpv,
    f.households,
    f.households_high + f.households_very_high as households_high_or_very_high,
    f.share_high_or_very_high,
    r.threshold as rule_threshold,
    'share of households at high or very high level > ' || cast(r.threshold as varchar)
        || ' (' || r.parameter_source || ')' as rule,
    c.commune_name
from {{ ref('fragility_residence') }} f
cross join rule r
left join {{ ref('dim_commune') }} c on c.depcom = f.depcom
where f.survey_year = {{ survey_year(key) }} and f.share_high_or_very_high > r.threshold
{% endcall %}
