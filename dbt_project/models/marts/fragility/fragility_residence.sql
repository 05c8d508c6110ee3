-- Households per fragility level and criterion, per residence and survey year.
{% call(key) for_each_key('survey') %}
with counts as ({{ fragility_by(['residence_key', 'siret', 'residence_id', 'depcom',
                                 'territory_id'], key) }})

select c.*, r.residence_name, r.is_in_qpv
from counts c
left join {{ ref('dim_residence') }} r using (residence_key)
{% endcall %}
