-- Refusals by candidates, per landlord and category of priority public, for the period, in
-- the agreement's perimeter as acd_indicators counts its refusals (decisions dated by the
-- commission; the refusals are the rows of int_acd__refusal_facts): they explain a missed
-- indicator A.
{% call(key) for_each_key('period') %}
select
    period,
    year,
    siret,
    any_value(landlord_name) as landlord_name,
    priority_category,
    count(*) as refusals,
    count(*) filter (where has_reason) as refusals_with_reason
from {{ ref('int_acd__refusal_facts') }}
where period = {{ period_key(key) }}
group by all
{% endcall %}
