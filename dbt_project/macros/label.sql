{# Label of a code from the code_labels seed (code lists that change only with the formats). #}
{% macro label(code_list, expression) -%}
    (select cl.label from {{ ref('code_labels') }} cl
     where cl.code_list = '{{ code_list }}' and cl.code = cast(({{ expression }}) as varchar))
{%- endmacro %}
