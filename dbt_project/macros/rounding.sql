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
