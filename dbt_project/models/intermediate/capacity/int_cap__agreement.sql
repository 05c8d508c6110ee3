-- The agreement that sets the objectives of the year: the latest one starting at or before
-- it. Its perimeter starts from the RPLS vintage of the year before it starts (ACD annex 3:
-- 1 Jan 2025 = RPLS of 1 Jan 2024 + deliveries of 2024 - exclusions).
{% call(key) for_each_key('capacity') %}
select
    {{ capacity_year(key) }} as year,
    max(agreement_start_year) as agreement_start_year,
    max(agreement_start_year) - 1 as base_vintage
from {{ ref('int_acd__plan_events') }}
where agreement_start_year <= {{ capacity_year(key) }}
having count(*) > 0
{% endcall %}
