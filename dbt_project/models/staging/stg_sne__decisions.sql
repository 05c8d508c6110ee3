-- A table, not a view: several models and tests read it, and a view over a national register
-- would be computed again by each of them. By extract year in a quarterly run (sne_by_year).
{{ config(**sne_by_year('extract_year')) }}
-- Every row of every SNE decision extract: one candidate examined by a commission (CALEOL).
with source as (
    select * from {{ source('raw_validated', 'sne_attributions') }}
    {{ sne_years_filter('cast(left(_partition, 4) as integer)') }}
)

select
    _partition as extract_period,
    cast(left(_partition, 4) as integer) as extract_year,
    cast(nullif(substr(_partition, 6, 1), '') as integer) as extract_quarter,
    -- num_unique is the keyed hash written by the loader: hashing it again needs no key
    sha256(num_unique || '|' || ident_rep || '|' || cast(date_caleol as varchar))
        as decision_key,
    num_unique as demand_key,
    ident_rep as ident_rep,
    depcom as decision_depcom,
    qpv = 1 as decision_is_in_qpv,
    siret as siret,
    date_caleol as commission_on,
    rang as candidate_rank,
    reservataire as reservation_holder,
    {{ label('sne.RESERVATAIRE', 'reservataire') }} as reservation_holder_label,
    decision as decision,
    issue as outcome,
    date_bail as lease_signed_on,
    motif_refus as refusal_reason,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from source
