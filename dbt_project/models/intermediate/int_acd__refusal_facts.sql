-- One row per SNE period x refusal by a candidate (a decision of the period refused by the
-- household, dated by the commission) in the agreement's perimeter, as indicator B counts it
-- (int_acd__indicator_facts: the landlords party to the agreement, in its département), with
-- its category of priority public and register line. acd_refusals counts these rows;
-- `attrib explain acd_refusals` lists them. A view.
{{ config(materialized='view') }}
select
    f.period,
    {{ year_of_period('f.period') }} as year,
    f.siret,
    a.landlord_name,
    coalesce(a.priority_category, 'not priority') as priority_category,
    a.refusal_reason is not null as has_reason,
    a.refusal_reason,
    f.depcom,
    f.commission_on,
    f.source_file,
    f.source_line
from {{ ref('int_acd__indicator_facts') }} f
join {{ ref('fct_attribution') }} a using (decision_key)
where f.counts_refusal
