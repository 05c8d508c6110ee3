-- Share of empty shops around each residence, per OPS survey year.
select
    cast(_partition as integer) as survey_year,
    siret as siret,
    residence_id as residence_id,
    taux_vacance_commerciale as commercial_vacancy_rate,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from {{ source('raw_validated', 'vacance_commerciale') }}
