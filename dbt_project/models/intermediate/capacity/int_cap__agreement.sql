-- The agreement that sets the objectives of the year: the latest one starting at or before
-- it. Its perimeter starts from the RPLS vintage of the year before it starts (ACD annex 3:
-- 1 Jan 2025 = RPLS of 1 Jan 2024 + deliveries of 2024 - exclusions).
select
    {{ capacity_year() }} as year,
    max(agreement_start_year) as agreement_start_year,
    max(agreement_start_year) - 1 as base_vintage
from {{ ref('int_acd__plan_events') }}
where agreement_start_year <= {{ capacity_year() }}
having count(*) > 0
