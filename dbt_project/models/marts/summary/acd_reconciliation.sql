-- Reconciliation of the agreement's published tables (summary §2.5, annex 1 per landlord,
-- annex 2 per territory, Sicoval CIA table) with each other, with their own totals, with the
-- computed objectives, and the DALO objectives reproduced from the published figures.
-- Classification rules are in docs/capacity.md.
with published as (
    select published_table, year, landlord, territory, measure, value, source_line
    from {{ ref('stg_acd__published_objectives') }}
),

-- 1. the same cell printed in two tables
cross_table as (
    select
        'published_vs_published' as check_kind,
        a.year, a.measure, a.landlord, a.territory,
        a.published_table as source_a, cast(a.value as double) as value_a,
        b.published_table as source_b, cast(b.value as double) as value_b,
        case when a.value = b.value then 'consistent'
             else 'disagreement_between_published_tables' end as classification
    from published a
    join published b
        on a.year = b.year and a.measure = b.measure and a.landlord = b.landlord
       and a.territory = b.territory and a.published_table < b.published_table
),

-- 2. a printed total against the sum of the cells it totals, in the same table
parts as (
    select published_table, year, measure, 'TOTAL' as landlord, territory,
           sum(value) as parts_sum, count(*) as parts
    from published where landlord <> 'TOTAL' and territory <> 'TOTAL' group by all
    union all
    select published_table, year, measure, landlord, 'TOTAL' as territory,
           sum(value), count(*)
    from published where territory <> 'TOTAL' and landlord <> 'TOTAL' group by all
    union all
    select published_table, year, measure, 'TOTAL', 'TOTAL', sum(value), count(*)
    from published where landlord <> 'TOTAL' and territory = 'TOTAL' and measure = 'objective'
    group by all
),

own_totals as (
    select
        'published_vs_total' as check_kind,
        t.year, t.measure, t.landlord, t.territory,
        t.published_table as source_a, cast(t.value as double) as value_a,
        t.published_table || ' (sum of ' || p.parts || ' printed cells)' as source_b,
        cast(p.parts_sum as double) as value_b,
        case when t.value = p.parts_sum then 'consistent'
             when abs(t.value - p.parts_sum) <= 0.5 * p.parts then 'rounding'
             else 'disagreement_within_table' end as classification
    from published t
    join parts p using (published_table, year, measure, landlord, territory)
),

-- 3. computed objectives against the published ones
computed as (
    select
        year,
        coalesce(landlord_name, 'TOTAL') as landlord,
        coalesce(territory_name, 'TOTAL') as territory,
        objective,
        objective_unrounded
    from {{ ref('capacity_objectives') }}
),

computed_vs_published as (
    select
        'computed_vs_published' as check_kind,
        p.year, p.measure, p.landlord, p.territory,
        'computed (marts.capacity_objectives)' as source_a, cast(c.objective as double) as value_a,
        p.published_table as source_b, cast(p.value as double) as value_b,
        case when c.objective = p.value then 'consistent'
             when abs(c.objective_unrounded - p.value) < 1 then 'rounding'
             else 'computed_differs' end as classification
    from published p
    join computed c using (year, landlord, territory)
    where p.measure = 'objective'
),

-- 4. landlord DALO objectives reproduced from the published landlord objectives and totals
dalo_totals as (
    select
        y.year,
        coalesce(
            (select value from published where published_table = 'acd_summary'
             and year = y.year and landlord = 'TOTAL' and territory = 'TOTAL'
             and measure = 'dalo'),
            (select sum(value) from published where published_table = 'annex1'
             and year = y.year and landlord <> 'TOTAL' and measure = 'dalo')
        ) as dalo_total,
        coalesce(
            (select value from published where published_table = 'acd_summary'
             and year = y.year and landlord = 'TOTAL' and territory = 'TOTAL'
             and measure = 'objective'),
            (select sum(value) from published where published_table = 'annex1'
             and year = y.year and landlord <> 'TOTAL' and territory = 'TOTAL'
             and measure = 'objective')
        ) as objective_total
    from (select distinct year from published) y
),

dalo_inputs as (
    select
        o.year, o.landlord, o.value as landlord_objective,
        t.dalo_total, t.objective_total,
        o.value * t.dalo_total / t.objective_total as dalo_unrounded
    from published o
    join dalo_totals t using (year)
    where o.published_table = 'annex1' and o.territory = 'TOTAL' and o.measure = 'objective'
      and o.landlord <> 'TOTAL'
),

dalo_reproduced as (
    select
        *,
        {{ largest_remainder('dalo_unrounded', 'dalo_total', 'year', 'landlord') }}
            as dalo_reproduced
    from dalo_inputs
),

dalo_check as (
    select
        'dalo_reproduction' as check_kind,
        r.year, 'dalo' as measure, r.landlord, 'TOTAL' as territory,
        'reproduced: largest remainder of ' || cast(r.dalo_total as varchar) || ' x objective / '
            || cast(r.objective_total as varchar) as source_a,
        cast(r.dalo_reproduced as double) as value_a,
        'annex1' as source_b,
        cast(p.value as double) as value_b,
        case when r.dalo_reproduced = p.value then 'consistent'
             else 'dalo_not_reproduced' end as classification
    from dalo_reproduced r
    join published p
        on p.published_table = 'annex1' and p.year = r.year and p.landlord = r.landlord
       and p.territory = 'TOTAL' and p.measure = 'dalo'
)

-- named as in every other mart: landlord_name, territory_name
select
    * rename (landlord as landlord_name, territory as territory_name),
    value_a - value_b as gap
from (
    select * from cross_table
    union all select * from own_totals
    union all select * from computed_vs_published
    union all select * from dalo_check
)
