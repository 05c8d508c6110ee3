-- Where each attribution quota stands for the period (a year, or a quarter year to date):
-- leases signed in the period (dated by the lease) of dwellings of each territory, against the
-- targets in force (int_cia__policies: the territory's CIA, else its département's agreement,
-- else the law; docs/rules.md). Cells per territory x landlord x commune (x reservation holder
-- for the priority quota) and rollups per landlord, territory and département computed from the
-- counts. A lease in a commune of no territory is kept, under its département's targets. The
-- leases counted, quota by quota, are the rows of int_quota__lease_facts.
{% call(key) for_each_key('period') %}
with facts as (
    -- each lease x quota of the period, with its scope (the rule lives in that model)
    select *, reservation_holder as holder from {{ ref('int_quota__lease_facts') }}
    where period = {{ period_key(key) }}
),

params as (
    select * from {{ ref('int_acd__parameter_values') }} where year = {{ period_year(key) }}
),

policies as (
    select * from {{ ref('int_cia__policies') }} where year = {{ period_year(key) }}
),

counted as (
    select
        case grouping(territory_id, siret, depcom)
            when 0 then 'commune' when 1 then 'landlord' when 3 then 'territory'
            else 'departement' end as level,
        departement,
        territory_id,
        any_value(territory_name) as territory_name,
        siret,
        any_value(landlord_name) as landlord_name,
        depcom,
        holder as reservation_holder,
        quota,
        any_value(base) as base,
        count(*) filter (where counts_in_denominator) as denominator,
        count(*) filter (where counts_in_numerator) as numerator,
        count(*) filter (where counts_not_applicable) as not_applicable_leases,
        any_value(policy_source) as policy_source
    from facts
    group by grouping sets (
        (departement, territory_id, siret, depcom, holder, quota),
        (departement, territory_id, siret, holder, quota),
        (departement, territory_id, holder, quota),
        (departement, holder, quota)
    )
),

targeted as (
    select
        c.*,
        case
            when c.quota = 'PRIORITY' and c.reservation_holder in (
                select unnest(string_split(parameter_value, '|')) from params
                where parameter_name = 'priority.holder_excluded') then null
            when c.quota = 'PRIORITY' and h.parameter_value is not null
                then cast(h.parameter_value as double)
            when c.level = 'departement' or c.territory_id is null then d.target
            else t.target
        end as target,
        case when c.level = 'departement' or c.territory_id is null then d.policy_source
             else t.policy_source end as target_source
    from counted c
    left join policies t
        on t.scope = 'territory' and t.territory_id = c.territory_id and t.quota = c.quota
    left join policies d
        on d.scope = 'departement' and d.departement = c.departement and d.quota = c.quota
    left join params h on h.parameter_name = 'priority.holder_target.' || c.reservation_holder
),

scored as (
    select
        *,
        case
            when denominator = 0 and not_applicable_leases > 0 then 'n/a'
            when denominator = 0 then 'no_attribution'
            when target is null then 'no_target'
            when numerator / denominator >= target then 'met'
            else 'missed'
        end as status,
        case when status in ('met', 'missed')
             then greatest(0, cast(ceil(target * denominator - numerator - 1e-9) as bigint))
        end as own_gap
    from targeted
)

select
    {{ period_key(key) }} as period,
    case when {{ period_is_year(key) }} then 'year' else 'quarter_to_date' end as period_kind,
    {{ period_year(key) }} as year,
    {{ period_last_quarter(key) }} as through_quarter,
    level,
    departement,
    territory_id,
    case when level <> 'departement' then territory_name end as territory_name,
    siret,
    case when level in ('commune', 'landlord') then landlord_name end as landlord_name,
    s.depcom,
    reservation_holder,
    quota,
    base,
    numerator,
    denominator,
    not_applicable_leases,
    case when denominator > 0 then numerator / denominator end as rate,
    target,
    status,
    case status when 'met' then true when 'missed' then false end as met,
    -- a département rollup no single policy covers: the sum of its territories' gaps
    cast(case
        when level = 'departement' and target is null
            then sum(case when level = 'territory' then own_gap end) over (
                partition by departement, reservation_holder, quota)
        else own_gap
    end as bigint) as gap,
    target_source,
    m.commune_name
from scored s
left join (select depcom, commune_name from {{ ref('dim_commune') }}) m on m.depcom = s.depcom
{% endcall %}
