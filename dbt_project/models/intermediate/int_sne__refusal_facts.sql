-- One row per SNE period x refusal by a candidate (a decision refused by the household), dated
-- by the commission, with its category of priority public and its register line.
-- acd_refusals counts these rows; `attrib explain acd_refusals` lists them. A view.
{{ config(materialized='view') }}
with periods as (
    {{ sne_periods() }}
)

select
    p.period,
    {{ year_of_period('p.period') }} as year,
    a.siret,
    a.landlord_name,
    coalesce(a.priority_category, 'not priority') as priority_category,
    a.refusal_reason is not null as has_reason,
    a.refusal_reason,
    a.depcom,
    a.commission_on,
    a.source_file,
    a.source_line
from {{ ref('fct_attribution') }} a
join periods p
    on a.decision_year = {{ year_of_period('p.period') }}
    and a.decision_quarter <= {{ last_quarter_of_period('p.period') }}
where a.is_refused
