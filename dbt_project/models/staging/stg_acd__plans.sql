-- Every row of every revision of the landlords' plans; `is_latest_revision` marks the rows of
-- the highest revision of each agreement (the one that wins).
with source as (
    select
        *,
        cast(_partition as integer) as agreement_start_year,
        coalesce(cast(nullif(_file_revision, '') as integer), 0) as revision
    from {{ source('raw_validated', 'acd_plans') }}
)

select
    agreement_start_year as agreement_start_year,
    revision as revision,
    revision = max(revision) over (partition by agreement_start_year) as is_latest_revision,
    siret as siret,
    depcom as depcom,
    qpv = 1 as is_in_qpv,
    year as event_year,
    kind as event_kind,
    finan_class as finan_class,
    housing as housing_kind,
    dwellings as dwellings,
    share as sale_share,
    ident_rep as ident_rep,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from source
