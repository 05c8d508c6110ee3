-- One row per lease signed in a period x quota of the policy that covers it: whether the lease
-- is in the quota's scope, in its denominator and in its numerator, with the register line it
-- comes from. quota_attainment counts these rows; `attrib explain quota_attainment` lists them
-- (the leases behind a figure). A view: it costs nothing until read, and a read for one
-- figure filters it down to a few rows.
{{ config(materialized='view') }}
with periods as (
    {{ sne_periods() }}
),

leases as (
    select p.period, a.*, coalesce(c.departement, {{ departement_of('a.depcom') }}) as departement
    from {{ ref('fct_attribution') }} a
    join periods p
        on a.lease_year = {{ year_of_period('p.period') }}
        and a.lease_quarter <= {{ last_quarter_of_period('p.period') }}
    left join {{ ref('dim_commune') }} c using (depcom)
    where a.is_lease_signed
),

policies as (select * from {{ ref('int_cia__policies') }}),

scoped as (
    select
        l.*,
        q.quota,
        q.base,
        q.policy_source,
        case when q.quota = 'PRIORITY' then l.reservation_holder else 'ALL' end as holder,
        case q.quota
            when 'Q1_OUTSIDE_QPV' then not l.is_in_qpv
            when 'Q1_OUTSIDE_QPV_EXCL_STUDENTS' then not l.is_in_qpv and not coalesce(l.is_student, false)
            when 'Q234_IN_QPV' then l.is_in_qpv
            else true
        end as in_scope,
        q.quota like 'Q%' and l.q1_status = 'n/a' as is_not_applicable,
        case q.quota
            when 'Q1_OUTSIDE_QPV' then coalesce(l.is_first_quartile, false) or coalesce(l.is_urban_renewal_rehousing, false)
            when 'Q1_OUTSIDE_QPV_EXCL_STUDENTS' then coalesce(l.is_first_quartile, false) or coalesce(l.is_urban_renewal_rehousing, false)
            when 'Q234_IN_QPV' then l.is_first_quartile = false
            when 'PRIORITY' then coalesce(l.is_priority, false)
            when 'TRANSFER' then coalesce(l.is_transfer, false)
            when 'ESSENTIAL_WORKER' then coalesce(l.is_essential_worker, false)
        end as in_numerator
    from leases l
    -- a lease of a territory under its territory's policy, a lease of no territory under its
    -- département's, as one equality (an OR of the two kept DuckDB from hashing on the
    -- territory: France, 270,445 leases of 2026T1 in 0.30 s; as one equality, 0.06 s)
    join policies q
        on q.year = {{ year_of_period('l.period') }}
        and q.scope = case when l.territory_id is null then 'departement' else 'territory' end
        and (case when q.scope = 'territory' then q.territory_id else q.departement end)
            = coalesce(l.territory_id, l.departement)
)

select
    period,
    departement,
    territory_id,
    territory_name,
    siret,
    landlord_name,
    depcom,
    holder as reservation_holder,
    quota,
    base,
    policy_source,
    decision_key,
    lease_signed_on,
    source_file,
    source_line,
    in_scope and not is_not_applicable as counts_in_denominator,
    in_scope and not is_not_applicable and coalesce(in_numerator, false) as counts_in_numerator,
    in_scope and is_not_applicable as counts_not_applicable
from scoped
