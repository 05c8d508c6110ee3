-- One row per signed lease, with the residence it went into and whether that residence was,
-- by the latest OPS survey at or before the lease year (survey_year), a priority residence
-- or one classed "should not take first-quartile households". attribution_concentration
-- counts these rows; `attrib explain attribution_concentration` lists them. A view.
{{ config(materialized='view') }}
with surveys as (
    select distinct survey_year from {{ ref('fragility_residence') }}
),

leases as (
    select a.*, (select max(survey_year) from surveys s where s.survey_year <= a.lease_year)
        as survey_year,
        a.siret || '-' || a.residence_id as residence_key
    from {{ ref('fct_attribution') }} a
    where a.is_lease_signed
)

select
    l.lease_year as year,
    l.survey_year,
    l.territory_id,
    l.territory_name,
    l.depcom,
    l.residence_key,
    l.q1_status,
    coalesce(l.is_first_quartile, false) as is_first_quartile,
    coalesce(l.is_priority, false) as is_priority,
    p.residence_key is not null as into_priority_residence,
    coalesce(q.q1_capacity_class = 'should_not', false) as into_closed_residence,
    l.source_file,
    l.source_line
from leases l
left join {{ ref('priority_residences') }} p
    on p.survey_year = l.survey_year and p.residence_key = l.residence_key
left join {{ ref('residence_q1_capacity') }} q
    on q.survey_year = l.survey_year and q.residence_key = l.residence_key
