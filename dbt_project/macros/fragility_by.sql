{# Counts and shares of households per fragility level and criterion, grouped by `keys`, for one
   survey. #}
{% macro fragility_by(keys, survey) -%}
    select
        survey_year,
        {{ keys | join(', ') }},
        count(*) as households,
        {% for level in ['none', 'low', 'medium', 'high', 'very_high'] %}
        count(*) filter (where fragility_level = '{{ level }}') as households_{{ level }},
        households_{{ level }} / households as share_{{ level }},
        {% endfor %}
        {% for criterion in ['commercial_vacancy', 'overcrowding', 'no_link_to_employment',
                             'precarious_or_no_job', 'very_modest_income', 'large_family',
                             'single_parent', 'housing_allowance', 'rent_arrears'] %}
        count(*) filter (where c_{{ criterion }}) as households_{{ criterion }},
        households_{{ criterion }} / households as share_{{ criterion }},
        {% endfor %}
        (households_high + households_very_high) / households as share_high_or_very_high
    from {{ ref('fragility_household') }}
    where survey_year = {{ survey_year(survey) }}
      -- a household whose dwelling is in no register vintage has no residence: it is counted
      -- in marts.data_quality, never grouped under a NULL residence or commune
      and residence_key is not null
    group by all
{%- endmacro %}
