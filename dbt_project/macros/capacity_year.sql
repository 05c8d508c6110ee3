{# The year a yearly partition computes: Dagster passes the partition key as a dbt var. #}
{% macro capacity_year() -%}
    cast({{ var('capacity_year') }} as integer)
{%- endmacro %}

{# A yearly model's rows for the partition's year only (yearly tables keep every year). #}
{% macro this_year(model_name) -%}
    (select * from {{ ref(model_name) }} where year = {{ capacity_year() }})
{%- endmacro %}
