{#
  Rank the versions of a dated rule for a year: 1 for the latest version valid from that year
  or before, else (a year before the first version) for the first version. One place for the
  rule "a parameter applies until it is replaced, its first version stands for earlier years".
#}
{% macro version_rank(partition_by, valid_from, year) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by ({{ valid_from }} <= {{ year }}) desc,
                 case when {{ valid_from }} <= {{ year }} then -{{ valid_from }}
                      else {{ valid_from }} end
    )
{%- endmacro %}
