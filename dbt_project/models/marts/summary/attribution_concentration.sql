-- Where the year's first-quartile and priority attributions (signed leases) went: how many
-- into residences already flagged priority (more than a quarter of households highly
-- fragile) or classed "should not take first-quartile households", by the latest OPS survey at
-- or before the year (survey_year says which; the leases are int_fragility__lease_destinations).
-- Where no lease of a cell has a known first-quartile status (no threshold for its EPCI), the
-- first-quartile counts are null, not 0.
select
    year,
    survey_year,
    territory_id,
    any_value(territory_name) as territory_name,
    depcom,
    count(*) as leases,
    case when bool_or(q1_status <> 'n/a') then count(*) filter (where is_first_quartile) end
        as first_quartile_leases,
    case when bool_or(q1_status <> 'n/a') then count(*) filter (
        where is_first_quartile and into_priority_residence) end
        as first_quartile_into_priority_residences,
    case when bool_or(q1_status <> 'n/a') then count(*) filter (
        where is_first_quartile and into_closed_residence) end
        as first_quartile_into_closed_residences,
    count(*) filter (where is_priority) as priority_leases,
    count(*) filter (where is_priority and into_priority_residence)
        as priority_into_priority_residences,
    first_quartile_into_priority_residences / nullif(first_quartile_leases, 0)
        as share_first_quartile_into_priority_residences,
    priority_into_priority_residences / nullif(priority_leases, 0)
        as share_priority_into_priority_residences
from {{ ref('int_fragility__lease_destinations') }}
group by year, survey_year, territory_id, depcom
