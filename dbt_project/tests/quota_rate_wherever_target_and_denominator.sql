-- A quota with a target and leases in its base always has a rate and a status.
select period, level, territory_id, siret, depcom, reservation_holder, quota
from {{ ref('quota_attainment') }}
where target is not null and denominator > 0
  and (rate is null or status not in ('met', 'missed') or gap is null)
