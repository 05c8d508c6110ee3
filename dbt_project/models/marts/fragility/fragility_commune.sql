-- Households per fragility level and criterion, per commune and survey year.
{% call(key) for_each_key('survey') %}
select f.*, c.commune_name
from ({{ fragility_by(['depcom', 'territory_id'], key) }}) f
left join {{ ref('dim_commune') }} c on c.depcom = f.depcom
{% endcall %}
