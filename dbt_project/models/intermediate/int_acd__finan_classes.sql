-- RPLS FINAN code -> ACD financing class and the share of a dwelling counted in the
-- perimeter, per year (parameters finan_class.<code> and finan_share.<class>).
with values as (
    select * from {{ ref('int_acd__parameter_values') }}
)

select
    c.year,
    cast(split_part(c.parameter_name, '.', 2) as integer) as finan_code,
    c.parameter_value as finan_class,
    cast(s.parameter_value as double) as perimeter_share,
    c.parameter_source as class_source,
    s.parameter_source as share_source
from values c
left join values s
    on s.year = c.year and s.parameter_name = 'finan_share.' || c.parameter_value
where c.parameter_name like 'finan_class.%'
