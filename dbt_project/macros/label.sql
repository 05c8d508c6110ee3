{#
  Label of a code from the code_labels seed (code lists that change only with the formats).
  The code list is read once per query, as a map, and each row looks its code up in it: a
  subquery correlated to the row (`where cl.code = <the row's code>`) made DuckDB join the
  whole register to the seed once per label, with a check that each code has one label, and
  four labels on the national RPLS (5.4 million rows) took 21 s instead of 2.
  map_from_entries refuses a code listed twice, as the scalar subquery did.
#}
{% macro label(code_list, expression) -%}
    (select map_from_entries(list((cl.code, cl.label))) from {{ ref('code_labels') }} cl
     where cl.code_list = '{{ code_list }}')[cast(({{ expression }}) as varchar)]
{%- endmacro %}
