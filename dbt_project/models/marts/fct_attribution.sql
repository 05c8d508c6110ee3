-- One row per candidate examined by an attribution commission (CALEOL), joined to the
-- dwelling (from the latest RPLS vintage at or before the commission year, else from the
-- decision row for a dwelling not yet registered) and to the demand (its snapshot of the
-- commission year, else its latest one). First-quartile status uses the threshold of the
-- dwelling's EPCI for the year of the lease (or of the commission when there is no lease).
{{ config(**sne_by_year('extract_year')) }}
-- not materialized: read four times, a scan of the table each time rather than a copy
with decisions as not materialized (
    select * from {{ ref('int_sne__decisions') }} {{ sne_years_filter('extract_year') }}
),

-- the register's dwellings from fct_dwelling_stock, a table, not from the view over the raw
-- register, whose casts and class join were computed again for 5.4 million dwellings, twice
-- (France: 8.1 s for this model in the annual run, 1.5 s in the quarterly's).
-- not materialized either: read twice (the dwelling, in_register), DuckDB otherwise
-- copies the whole national register (France: 3.8 s against 2.6 s for this model)
register as not materialized (
    select ident_rep, vintage, depcom, is_in_qpv, finan_class, residence_id
    from {{ ref('fct_dwelling_stock') }}
),

-- the columns used below only: the windows carry every column they are given
dwelling as (
    select d.decision_key, r.ident_rep, r.vintage, r.depcom, r.is_in_qpv, r.finan_class,
        r.residence_id
    from decisions d
    join register r on r.ident_rep = d.ident_rep and r.vintage <= year(d.commission_on)
    qualify row_number() over (partition by d.decision_key order by r.vintage desc) = 1
),

-- the decisions' dwellings found in the register at any vintage: a join probed by the register
-- with the decisions' identifiers as its hash table (an IN over the register built a hash table
-- of its 5.4 million identifiers instead: France quarterly, 0.9 s against 0.3 s for the query)
in_register as (
    select distinct r.ident_rep
    from register r
    join (select distinct ident_rep from decisions) d on d.ident_rep = r.ident_rep
),

demand as (
    select d.decision_key, f.demand_key, f.yearly_income_per_cu, f.is_priority,
        f.priority_label, f.priority_category, f.is_dalo, f.is_transfer, f.is_essential_worker,
        f.is_student, f.is_urban_renewal_rehousing
    from decisions d
    join {{ ref('fct_demand') }} f on f.demand_key = d.demand_key
    qualify row_number() over (
        partition by d.decision_key
        order by (f.year = year(d.commission_on)) desc, f.year desc
    ) = 1
),

joined as (
    select
        d.*,
        w.vintage as register_vintage,
        coalesce(w.depcom, d.decision_depcom) as depcom,
        coalesce(w.is_in_qpv, d.decision_is_in_qpv) as is_in_qpv,
        w.finan_class,
        w.residence_id,
        case when w.ident_rep is null then 'decision' else 'register' end as dwelling_source,
        year(coalesce(d.lease_signed_on, d.commission_on)) as reference_year,
        m.yearly_income_per_cu,
        m.is_priority,
        m.priority_label,
        m.priority_category,
        m.is_dalo,
        m.is_transfer,
        m.is_essential_worker,
        m.is_student,
        m.is_urban_renewal_rehousing,
        m.demand_key is not null as has_demand
    from decisions d
    left join dwelling w using (decision_key)
    left join demand m using (decision_key)
)

select
    j.decision_key,
    j.demand_key,
    j.ident_rep,
    j.siret,
    l.landlord_name,
    j.depcom,
    c.territory_id,
    c.territory_name,
    c.epci_siren,
    j.is_in_qpv,
    j.finan_class,
    j.residence_id,
    j.dwelling_source,
    j.ident_rep in (select ident_rep from in_register) as dwelling_in_register,
    j.register_vintage,
    j.commission_on,
    year(j.commission_on) as decision_year,
    quarter(j.commission_on) as decision_quarter,
    j.candidate_rank,
    j.reservation_holder,
    j.reservation_holder_label,
    j.decision,
    j.decision in ('ATTRIBUEE', 'ATTRIBUEE_SOUS_CONDITION') as is_attributed,
    j.outcome,
    j.outcome = 'BAIL_SIGNE' as is_lease_signed,
    j.outcome = 'REFUS_DEMANDEUR' as is_refused,
    j.outcome = 'EN_ATTENTE' as is_pending,
    j.refusal_reason,
    j.lease_signed_on,
    year(j.lease_signed_on) as lease_year,
    quarter(j.lease_signed_on) as lease_quarter,
    j.has_demand,
    j.yearly_income_per_cu,
    q.threshold_eur as q1_threshold_eur,
    {{ q1_status('j.yearly_income_per_cu', 'q.threshold_eur') }},
    j.is_priority,
    j.priority_label,
    j.priority_category,
    j.is_dalo,
    j.is_transfer,
    j.is_essential_worker,
    j.is_student,
    j.is_urban_renewal_rehousing,
    j.extract_period,
    j.extract_year,
    j.source_file,
    j.source_line,
    j.load_id,
    coalesce(c.in_agreement_territories, false) as in_agreement_territories
from joined j
left join {{ ref('dim_commune') }} c on c.depcom = j.depcom
left join {{ ref('dim_landlord') }} l on l.siret = j.siret
left join {{ ref('int_acd__q1_thresholds') }} q
    on q.epci_siren = c.epci_siren and q.year = j.reference_year
