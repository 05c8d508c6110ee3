-- One row per SNE period x decision of a landlord party to the agreement, in the agreement's
-- département (parameter acd.departement), that counts in that period: for indicator A, a
-- lease signed in the period (dated by the lease); for indicator B and the refusals, a
-- decision of the period (dated by the commission). acd_indicators counts these rows;
-- `attrib explain acd_indicators` lists them (the decisions behind a figure). A view.
{{ config(materialized='view') }}
with periods as (
    {{ sne_periods() }}
),

rules as (
    select
        year,
        any_value(parameter_value) filter (where parameter_name = 'acd.departement')
            as departement,
        string_split(any_value(parameter_value) filter (
            where parameter_name = 'indicator_b.decisions'), '|') as b_decisions,
        string_split(any_value(parameter_value) filter (
            where parameter_name = 'indicator_b.ranks'), '|') as b_ranks
    from {{ ref('int_acd__parameter_values') }}
    group by year
),

counted as (
    select
        p.period,
        a.*,
        a.is_lease_signed and a.lease_year = {{ year_of_period('p.period') }}
            and a.lease_quarter <= {{ last_quarter_of_period('p.period') }} as is_entry,
        a.decision_year = {{ year_of_period('p.period') }}
            and a.decision_quarter <= {{ last_quarter_of_period('p.period') }} as is_decision,
        list_contains(r.b_decisions, a.decision)
            and list_contains(r.b_ranks, cast(a.candidate_rank as varchar)) as counts_for_b
    from {{ ref('fct_attribution') }} a
    join {{ ref('dim_landlord') }} l using (siret)
    left join {{ ref('dim_commune') }} c using (depcom)
    cross join periods p
    join rules r on r.year = {{ year_of_period('p.period') }}
    where l.is_party_to_acd
      and coalesce(c.departement, {{ departement_of('a.depcom') }}) = r.departement
)

select
    period,
    siret,
    territory_id,
    decision_key,
    depcom,
    commission_on,
    lease_signed_on,
    source_file,
    source_line,
    coalesce(is_decision, false) as is_decision_of_period,
    coalesce(is_entry, false) as counts_lease,
    coalesce(is_entry and is_priority, false) as counts_priority_entry,
    coalesce(is_entry and is_dalo, false) as counts_dalo_entry,
    coalesce(is_decision and counts_for_b, false) as counts_decision,
    coalesce(is_decision and counts_for_b and is_priority, false) as counts_priority_decision,
    coalesce(is_decision and is_refused, false) as counts_refusal,
    coalesce(is_decision and is_refused and is_priority, false) as counts_priority_refusal
from counted
where coalesce(is_entry, false) or coalesce(is_decision, false)
