-- One row per dwelling per RPLS vintage, with its ACD financing class and perimeter flags
-- (ACD annex 3 phase 1). Parameters (FINAN classes, excluded modes...) are those valid for
-- the vintage year; plan events are those of the latest agreement starting at most the year
-- after the vintage (the perimeter on 1 January V+1 is built from vintage V).
-- not materialized: read twice, it would be copied whole (5.4 million dwellings in
-- France: 2 GB of buffers, 5.2 s; read from the register each time, 0.6 GB, 4.5 s)
with dwellings as not materialized (
    select * from {{ ref('int_rpls__dwelling_classes') }}
),

-- the vintages the register holds: what the plans and the parameters are looked up for
vintages as (
    select distinct vintage from dwellings
),

params as (
    select * from {{ ref('int_acd__parameter_values') }}
),

agreements as (
    select distinct d.vintage, max(p.agreement_start_year) as agreement_start_year
    from vintages d
    join {{ ref('int_acd__plan_events') }} p on p.agreement_start_year <= d.vintage + 1
    group by d.vintage
),

named as (
    select
        a.vintage,
        p.ident_rep,
        bool_or(p.event_kind = 'THEMATIC') as is_thematic,
        bool_or(p.event_kind = 'DEMOLITION') as is_planned_demolition,
        bool_or(p.event_kind = 'SALE_UNITS') as is_planned_sale,
        min(p.event_year) filter (where p.event_kind in ('DEMOLITION', 'SALE_UNITS'))
            as planned_exit_year,
        any_value(p.agreement_start_year) as agreement_start_year
    from agreements a
    join {{ ref('int_acd__plan_events') }} p using (agreement_start_year)
    where p.ident_rep is not null
    group by all
),

-- the codes the parameters exclude, per vintage: a list per vintage, joined to the register
-- (a subquery per dwelling correlated to its vintage materialised the register three times)
excluded as (
    select
        v.vintage,
        {%- for name, column in [('typeconst', 'excluded_typeconst'), ('modes', 'excluded_modes'),
                                 ('conv', 'excluded_conv')] %}
        string_split(coalesce(any_value(p.parameter_value) filter (
            where p.parameter_name = 'perimeter.{{ column }}'), ''), '|') as {{ name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from vintages v
    left join params p on p.year = v.vintage
    group by v.vintage
),

flagged as (
    select
        d.*,
        list_contains(e.typeconst, d.building_type) as is_student,
        coalesce(n.is_thematic, false) as is_thematic,
        coalesce(n.is_planned_demolition, false) as is_planned_demolition,
        coalesce(n.is_planned_sale, false) as is_planned_sale,
        n.planned_exit_year,
        n.agreement_start_year as plans_agreement_start_year,
        list_contains(e.modes, cast(d.occupancy_mode as varchar)) as is_excluded_mode,
        list_contains(e.conv, cast(d.conv_code as varchar)) as is_excluded_conv
    from dwellings d
    left join excluded e on e.vintage = d.vintage
    left join named n on n.vintage = d.vintage and n.ident_rep = d.ident_rep
)

select
    vintage,
    ident_rep,
    siret,
    depcom,
    is_in_qpv,
    qpv_code,
    residence_id,
    building_type,
    rooms,
    floor_area_m2,
    year_built,
    year_first_let,
    finan_code,
    finan_label,
    finan_class,
    occupancy_mode,
    conv_code,
    reservation_code,
    monthly_rent_eur,
    is_student,
    is_thematic,
    is_planned_demolition,
    is_planned_sale,
    planned_exit_year,
    plans_agreement_start_year,
    case
        when is_student then 'student'
        when is_thematic then 'thematic'
        when is_planned_demolition then 'demolition'
        when is_planned_sale then 'sale'
        when finan_class = 'OUT' then 'financing'
        when is_excluded_mode then 'occupancy_mode'
        when is_excluded_conv then 'convention'
    end as exclusion_reason,
    exclusion_reason is null as is_in_perimeter,
    case when exclusion_reason is null then perimeter_share else 0 end as perimeter_weight,
    source_file,
    source_line,
    load_id,
    depcom in (select depcom from {{ ref('stg_acd__territories') }}) as in_agreement_territories
from flagged
