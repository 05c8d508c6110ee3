-- Refusals by candidates, per landlord and category of priority public, for the period
-- (decisions dated by the commission): they explain a missed indicator A.
{% call(key) for_each_key('period') %}
select
    {{ period_key(key) }} as period,
    {{ period_year(key) }} as year,
    a.siret,
    any_value(a.landlord_name) as landlord_name,
    coalesce(a.priority_category, 'not priority') as priority_category,
    count(*) as refusals,
    count(*) filter (where a.refusal_reason is not null) as refusals_with_reason
from {{ ref('fct_attribution') }} a
where a.is_refused
  and a.decision_year = {{ period_year(key) }}
  and a.decision_quarter <= {{ period_last_quarter(key) }}
group by all
{% endcall %}
