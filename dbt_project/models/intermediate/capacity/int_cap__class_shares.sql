-- Share of a dwelling counted in the perimeter, per ACD financing class, for the year
-- (parameters finan_share.<class>: PLAI/PLUS 1, PLS 0.1, OUT 0 by default).
{% call(key) for_each_key('capacity') %}
select
    year,
    split_part(parameter_name, '.', 2) as finan_class,
    cast(parameter_value as double) as class_share,
    parameter_source as class_share_source,
    source_line as parameter_line
from {{ ref('int_acd__parameter_values') }}
where parameter_name like 'finan_share.%' and year = {{ capacity_year(key) }}
{% endcall %}
