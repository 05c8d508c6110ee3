{# Round half up (0.5 -> 1): the rounding of objectives at the published grain. #}
{% macro round_half_up(expression) -%}
    cast(floor(({{ expression }}) + 0.5) as bigint)
{%- endmacro %}

{#
  Largest-remainder apportionment: integers that add up to `total` (per `partition_by`), each
  the floor of `value` plus one for the largest remainders (ties: `tiebreak`). This is how the
  agreement's landlord DALO objectives add up to the DALO total (docs/capacity.md).
#}
{% macro largest_remainder(value, total, partition_by, tiebreak) -%}
    cast(floor({{ value }}) as bigint) + case
        when row_number() over (
            partition by {{ partition_by }}
            order by {{ value }} - floor({{ value }}) desc, {{ tiebreak }}
        ) <= ({{ total }}) - sum(floor({{ value }})) over (partition by {{ partition_by }})
        then 1 else 0
    end
{%- endmacro %}

{#
  Sum of DOUBLE values that is the same whatever order DuckDB adds them in: each term is taken
  to 10 decimals and the terms are added exactly (DECIMAL), the total returned as DOUBLE. A
  parallel sum of doubles adds them in the order its threads meet them: two builds of the same
  data differed in the last digit of objective_unrounded (2932.0798049999994 against
  2932.079805), and a cell whose objective is exactly n + 0.5 could round either way.
#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
