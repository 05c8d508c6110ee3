-- Where the year's first-quartile and priority attributions (signed leases) went: how many
-- into residences already flagged priority (more than a quarter of households highly
-- fragile) or classed "should not take first-quartile households", by the latest OPS survey at
-- or before the year (survey_year says which).
with surveys as (
    select distinct survey_year from {{ ref('fragility_residence') }}
),

leases as (
    select a.*, (select max(survey_year) from surveys s where s.survey_year <= a.lease_year)
        as survey_year,
        a.siret || '-' || a.residence_id as residence_key
    from {{ ref('fct_attribution') }} a
    where a.is_lease_signed
),

flagged as (
    select
        l.*,
        p.residence_key is not null as into_priority_residence,
        coalesce(q.q1_capacity_class = 'should_not', false) as into_closed_residence
    from leases l
    left join {{ ref('priority_residences') }} p
        on p.survey_year = l.survey_year and p.residence_key = l.residence_key
    left join {{ ref('residence_q1_capacity') }} q
        on q.survey_year = l.survey_year and q.residence_key = l.residence_key
)

select
    lease_year as year,
    survey_year,
    territory_id,
    any_value(territory_name) as territory_name,
    depcom,
    count(*) as leases,
    count(*) filter (where is_first_quartile) as first_quartile_leases,
    count(*) filter (where is_first_quartile and into_priority_residence)
        as first_quartile_into_priority_residences,
    count(*) filter (where is_first_quartile and into_closed_residence)
        as first_quartile_into_closed_residences,
    count(*) filter (where is_priority) as priority_leases,
    count(*) filter (where is_priority and into_priority_residence)
        as priority_into_priority_residences,
    first_quartile_into_priority_residences / nullif(first_quartile_leases, 0)
        as share_first_quartile_into_priority_residences,
    priority_into_priority_residences / nullif(priority_leases, 0)
        as share_priority_into_priority_residences
from flagged
group by lease_year, survey_year, territory_id, depcom
