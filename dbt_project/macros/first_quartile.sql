{#
  First-quartile status of a household (docs/rules.md; arrêté Q1): 'yes' when its yearly income per
  consumption unit is strictly under the threshold, 'no' when not, 'n/a' when there is no
  threshold (the EPCI has none) or no income; and the same as a nullable boolean.
#}
{% macro q1_status(income_per_unit, threshold) -%}
    case
        when ({{ threshold }}) is null or ({{ income_per_unit }}) is null then 'n/a'
        when ({{ income_per_unit }}) < ({{ threshold }}) then 'yes'
        else 'no'
    end as q1_status,
    case q1_status when 'yes' then true when 'no' then false end as is_first_quartile
{%- endmacro %}
