-- The departmental agreement's indicators for the period, per landlord and per landlord x
-- territory (ACD 31 §3, §7; docs/rules.md): A, entries of priority households (signed leases
-- dated by the lease, plus dwellings newly lent for emergency shelter) against the objective;
-- B, share of priority households among attribution decisions (dated by the commission)
-- against 37.5 %; the landlord meets its obligation if A or B is met. Only the agreement's
-- perimeter counts: the communes of its département (parameter acd.departement) and the
-- landlords party to it. Rollup rows are told from cells by their level, never by a null key.
{% call(key) for_each_key('period') %}
with params as (
    select * from {{ ref('int_acd__parameter_values') }} where year = {{ period_year(key) }}
),

perimeter as (
    select any_value(parameter_value) filter (where parameter_name = 'acd.departement')
        as departement
    from params
),

facts as (
    -- the decisions and leases of the period that count, with what they count in (the
    -- perimeter and indicator B's rules live in that model)
    select * from {{ ref('int_acd__indicator_facts') }} where period = {{ period_key(key) }}
),

entries as (
    select siret, territory_id, grouping(territory_id) = 1 as is_landlord_total,
           count(*) filter (where counts_priority_entry) as priority_entries,
           count(*) filter (where counts_dalo_entry) as dalo_entries,
           count(*) filter (where counts_lease) as leases
    from facts
    where counts_lease
    group by grouping sets ((siret, territory_id), (siret))
),

decisions as (
    select siret, territory_id, grouping(territory_id) = 1 as is_landlord_total,
           count(*) filter (where counts_decision) as decisions,
           count(*) filter (where counts_priority_decision) as priority_decisions,
           count(*) filter (where counts_refusal) as refusals,
           count(*) filter (where counts_priority_refusal) as priority_refusals
    from facts
    where is_decision_of_period
    group by grouping sets ((siret, territory_id), (siret))
),

-- dwellings newly lent for emergency shelter in the year: MODE 4 in vintage N+1 minus N (read
-- from fct_dwelling_stock, a table: the view over the register computes every dwelling again)
shelter as (
    select siret,
           count(*) filter (where vintage = {{ period_year(key) }} + 1)
           - count(*) filter (where vintage = {{ period_year(key) }}) as newly_lent
    from {{ ref('fct_dwelling_stock') }}
    where occupancy_mode = 4 and vintage in ({{ period_year(key) }}, {{ period_year(key) }} + 1)
      and {{ departement_of('depcom') }} = (select departement from perimeter)
    group by siret
    having count(*) filter (where vintage = {{ period_year(key) }} + 1) > 0
        -- the vintages, not every dwelling: an IN over the table hashed its 5.4 million rows
        or {{ period_year(key) }} + 1 in (
            select distinct vintage from {{ ref('fct_dwelling_stock') }}
        )
),

published as (
    select landlord, territory, measure, value
    from {{ ref('stg_acd__published_objectives') }}
    where published_table = 'annex1' and year = {{ period_year(key) }}
),

computed as (
    select siret, territory_id, objective, objective_revised
    from {{ ref('capacity_objectives') }}
    where year = {{ period_year(key) }} and level in ('landlord', 'landlord_territory')
),

settings as (
    select
        any_value(parameter_value) filter (where parameter_name = 'indicator_a.objective_source')
            as objective_source,
        cast(any_value(parameter_value) filter (where parameter_name = 'indicator_b.target')
             as double) as indicator_b_target
    from params
),

grid as (
    select l.siret, l.landlord_name, t.territory_id, t.territory_name,
           t.territory_id is null as is_landlord_total
    from {{ ref('dim_landlord') }} l
    cross join (select territory_id, territory_name from {{ ref('dim_territory') }}
                where departement = (select departement from perimeter)
                union all select null, null) t
    where l.is_party_to_acd
)

select
    {{ period_key(key) }} as period,
    case when {{ period_is_year(key) }} then 'year' else 'quarter_to_date' end as period_kind,
    {{ period_year(key) }} as year,
    case when g.is_landlord_total then 'landlord' else 'landlord_territory' end as level,
    g.siret,
    g.landlord_name,
    g.territory_id,
    g.territory_name,
    coalesce(e.leases, 0) as leases,
    coalesce(e.priority_entries, 0) as priority_entries,
    -- the register counts a landlord's shelter dwellings in the département, not per territory:
    -- landlord rows only (the CTE's column has another name, so that `shelter_entries` below
    -- is this column, null on territory rows, and not the CTE's)
    case when g.is_landlord_total and {{ period_is_year(key) }}
         then greatest(coalesce(s.newly_lent, 0), 0) end as shelter_entries,
    coalesce(e.priority_entries, 0) + coalesce(shelter_entries, 0) as indicator_a_entries,
    p.value as objective_published,
    c.objective as objective_computed,
    c.objective_revised as objective_revised,
    st.objective_source,
    case st.objective_source when 'computed' then c.objective when 'revised' then c.objective_revised
         else p.value end as indicator_a_objective,
    case when indicator_a_objective is not null
         then indicator_a_entries >= indicator_a_objective end as indicator_a_met,
    -- no objective, no gap: greatest(0, NULL - x) would read 0, "nothing missing"
    case when indicator_a_objective is not null
         then greatest(0, indicator_a_objective - indicator_a_entries) end as indicator_a_gap,
    coalesce(e.dalo_entries, 0) as dalo_entries,
    case when g.is_landlord_total then pd.value end as dalo_objective_published,
    coalesce(d.decisions, 0) as decisions,
    coalesce(d.priority_decisions, 0) as priority_decisions,
    case when d.decisions > 0 then d.priority_decisions / d.decisions end as indicator_b_rate,
    st.indicator_b_target,
    case when d.decisions > 0 then indicator_b_rate >= st.indicator_b_target end
        as indicator_b_met,
    case when d.decisions > 0 then greatest(0, cast(ceil(
        st.indicator_b_target * d.decisions - d.priority_decisions - 1e-9) as bigint)) end
        as indicator_b_gap,
    coalesce(indicator_a_met, false) or coalesce(indicator_b_met, false) as obligation_met,
    coalesce(d.refusals, 0) as refusals,
    coalesce(d.priority_refusals, 0) as priority_refusals
from grid g
cross join settings st
left join entries e
    on e.siret = g.siret and e.is_landlord_total = g.is_landlord_total
   and (g.is_landlord_total or e.territory_id = g.territory_id)
left join decisions d
    on d.siret = g.siret and d.is_landlord_total = g.is_landlord_total
   and (g.is_landlord_total or d.territory_id = g.territory_id)
left join shelter s on s.siret = g.siret
left join published p
    on p.landlord = g.landlord_name and p.measure = 'objective'
   and p.territory = coalesce(g.territory_name, 'TOTAL')
left join published pd
    on pd.landlord = g.landlord_name and pd.measure = 'dalo' and pd.territory = 'TOTAL'
left join computed c
    on c.siret = g.siret and c.territory_id is not distinct from g.territory_id
   and (c.territory_id is null) = g.is_landlord_total
where g.is_landlord_total or e.leases > 0 or d.decisions > 0 or p.value is not null
{% endcall %}
