{# The OPS survey year a survey partition computes (Dagster passes the partition key). #}
{% macro survey_year() -%}
    cast({{ var('survey_year') }} as integer)
{%- endmacro %}
