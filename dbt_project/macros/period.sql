{# The SNE period a period partition computes: '2025' (the year) or '2025T2' (year to date,
   through the second quarter). #}
{% macro period_key() -%}'{{ var("period") }}'{%- endmacro %}
{% macro period_year() -%}cast(left({{ period_key() }}, 4) as integer){%- endmacro %}
{% macro period_last_quarter() -%}
    coalesce(cast(nullif(substr({{ period_key() }}, 6, 1), '') as integer), 4)
{%- endmacro %}
{% macro period_is_year() -%}(length({{ period_key() }}) = 4){%- endmacro %}
