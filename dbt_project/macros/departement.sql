{#- The département of an INSEE commune code: its first three characters overseas (971-976),
    its first two elsewhere (01-95, 2A, 2B), as the COG codes it. -#}
{% macro departement_of(depcom) -%}
    case when starts_with({{ depcom }}, '97') then left({{ depcom }}, 3) else left({{ depcom }}, 2) end
{%- endmacro %}
