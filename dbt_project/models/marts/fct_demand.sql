-- One row per demand and year (the authoritative extract of the year), with its household,
-- income per consumption unit, first-quartile status against the threshold of the EPCI of
-- its first-choice commune, priority, DALO and transfer flags. No demand number: demand_key
-- is a keyed hash.
{{ config(**sne_by_year('year')) }}
with demands as (
    select * from {{ ref('int_sne__demand_snapshots') }} {{ sne_years_filter('year') }}
),

communes as (
    select * from {{ ref('dim_commune') }}
),

computed as (
    select
        d.*,
        1 + 0.5 * (d.persons_14_and_over - 1) + 0.3 * d.children_under_14 as consumption_units,
        12 * d.monthly_income_eur / consumption_units as yearly_income_per_cu,
        make_date(d.year, 12, 31) as year_end
    from demands d
)

select
    c.year,
    c.is_closed_year,
    c.extract_period,
    c.demand_key,
    c.created_on,
    c.renewed_on,
    c.struck_off_on,
    c.strike_off_reason,
    c.created_on <= c.year_end
        and (c.struck_off_on is null or c.struck_off_on > c.year_end) as is_active_dec31,
    c.strike_off_reason = 'RADATT' and year(c.struck_off_on) = c.year as is_satisfied_in_year,
    datediff('day', c.created_on, least(coalesce(c.struck_off_on, c.year_end), c.year_end))
        as seniority_days,
    c.first_choice_depcom,
    m.territory_id,
    m.territory_name,
    m.epci_siren,
    c.current_depcom,
    c.age,
    c.marital_status,
    c.persons,
    c.persons_14_and_over,
    c.children_under_14,
    c.consumption_units,
    c.monthly_income_eur,
    c.yearly_income_per_cu,
    q.threshold_eur as q1_threshold_eur,
    q.threshold_year as q1_threshold_year,
    {{ q1_status('c.yearly_income_per_cu', 'q.threshold_eur') }},
    c.income_ceiling_band,
    c.contract_type,
    c.contract_type = 'ETU' as is_student,
    c.current_housing,
    c.current_housing_label,
    c.current_housing = 'HLM' as is_transfer,
    c.reason_code,
    c.reason_label,
    c.requested_size,
    c.dalo_status,
    c.dalo_status = 'ACTIF' or c.priority_label = 'DALO' as is_dalo,
    c.priority_label,
    case
        when c.priority_label is null then null
        when c.priority_label like 'PDALHPD_%' then 'PDALHPD'
        when c.priority_label like 'CIL_%' then 'CIL'
        when c.priority_label like 'CSE%' then 'CSE'
        else c.priority_label
    end as priority_category,
    c.priority_label is not null or c.dalo_status = 'ACTIF' as is_priority,
    c.essential_worker = 'OUI' as is_essential_worker,
    c.is_urban_renewal_rehousing,
    c.source_file,
    c.source_line,
    c.load_id,
    coalesce(m.in_agreement_territories, false) as in_agreement_territories
from computed c
left join communes m on m.depcom = c.first_choice_depcom
left join {{ ref('int_acd__q1_thresholds') }} q
    on q.epci_siren = m.epci_siren and q.year = c.year
