-- Households per fragility level and criterion, per commune and survey year.
{% call(key) for_each_key('survey') %}
{{ fragility_by(['depcom', 'territory_id'], key) }}
{% endcall %}
