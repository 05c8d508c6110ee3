-- A view: only the demand snapshots read it, and they filter it by extract year (DuckDB pushes
-- the filter to the raw table), so a table would copy 3 million rows of a national extract for
-- one reader.
{{ config(materialized='view') }}
-- Every row of every SNE demand extract. NUM_UNIQUE arrives already pseudonymised: the loader
-- replaced the demand number by its keyed hash (HMAC-SHA256), so the key never enters SQL.
with source as (
    select * from {{ source('raw_validated', 'sne_demandes') }}
)

select
    _partition as extract_period,
    cast(left(_partition, 4) as integer) as extract_year,
    cast(nullif(substr(_partition, 6, 1), '') as integer) as extract_quarter,
    num_unique as demand_key,
    date_creation as created_on,
    date_renouvellement as renewed_on,
    date_radiation as struck_off_on,
    motif_radiation as strike_off_reason,
    depcom_souhaite_1 as first_choice_depcom,
    depcom_souhaite_2 as second_choice_depcom,
    depcom_souhaite_3 as third_choice_depcom,
    depcom_actuel as current_depcom,
    age as age,
    situation_familiale as marital_status,
    nb_personnes as persons,
    nb_14_ans_et_plus as persons_14_and_over,
    nb_moins_14_ans as children_under_14,
    type_contrat as contract_type,
    revenu_mensuel as monthly_income_eur,
    plafond_ressources as income_ceiling_band,
    modele_logement_actuel as current_housing,
    {{ label('sne.MODELE_LOGEMENT_ACTUEL', 'modele_logement_actuel') }} as current_housing_label,
    motif as reason_code,
    {{ label('sne.MOTIF', 'motif') }} as reason_label,
    type_logement as requested_size,
    statut_dalo as dalo_status,
    priorite as priority_label,
    travailleur_essentiel as essential_worker,
    relogement_ru = 'OUI' as is_urban_renewal_rehousing,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from source
