-- DALO sub-objective share of the year (ACD annex 3 phase 4): DALO households still to
-- rehouse on 31 December of the previous year + half (parameter) of those expected to be
-- recognised in the year, over the total objective of the year; it is applied uniformly to
-- each landlord's objective.
{% call(key) for_each_key('capacity') %}
with params as (
    select * from {{ ref('int_acd__parameter_values') }} where year = {{ capacity_year(key) }}
),

landlord_objectives as (
    select
        c.siret,
        {{ exact_sum('c.capacity_existing + c.capacity_new') }} * (1 - coalesce(any_value(s.sale_share), 0))
            as objective_unrounded
    from {{ this_year('capacity_by_commune', key) }} c
    left join {{ this_year('int_cap__sale_share', key) }} s using (year, siret)
    where c.year = {{ capacity_year(key) }}
    group by c.siret
),

dalo as (
    select d.*, cast(f.parameter_value as double) as new_expected_factor
    from {{ ref('stg_acd__dalo') }} d
    cross join (select parameter_value from params
                where parameter_name = 'dalo.new_expected_factor') f
    where d.year = {{ capacity_year(key) }}
)

select
    d.year,
    d.dalo_active_prev_dec31,
    d.dalo_new_expected,
    d.new_expected_factor,
    d.dalo_active_prev_dec31 + d.new_expected_factor * d.dalo_new_expected as dalo_households,
    t.total_objective_unrounded,
    (d.dalo_active_prev_dec31 + d.new_expected_factor * d.dalo_new_expected)
        / t.total_objective_unrounded as dalo_share,
    d.source_file,
    d.source_line
from dalo d
cross join (select {{ exact_sum('objective_unrounded') }} as total_objective_unrounded
            from landlord_objectives) t
{% endcall %}
