-- One row per residence (a landlord's ensemble), as it stands in the latest RPLS vintage
-- where it appears, with the commercial vacancy of the latest OPS survey.
with dwellings as (
    select * from {{ ref('stg_rpls__dwellings') }}
),

latest as (
    select siret, residence_id, max(vintage) as vintage
    from dwellings group by all
),

summary as (
    select
        d.siret,
        d.residence_id,
        d.vintage as latest_vintage,
        any_value(d.residence_name) as residence_name,
        mode(d.depcom) as depcom,
        count(*) as dwellings,
        count(*) filter (where d.is_in_qpv) as dwellings_in_qpv,
        mode(d.qpv_code) as qpv_code
    from dwellings d
    join latest l using (siret, residence_id, vintage)
    group by all
),

vacancy as (
    select * from {{ ref('stg_ops__commercial_vacancy') }}
    qualify row_number() over (partition by siret, residence_id order by survey_year desc) = 1
)

select
    s.siret || '-' || s.residence_id as residence_key,
    s.siret,
    s.residence_id,
    s.residence_name,
    s.depcom,
    s.latest_vintage,
    s.dwellings,
    s.dwellings_in_qpv,
    s.dwellings_in_qpv * 2 > s.dwellings as is_in_qpv,
    s.qpv_code,
    v.commercial_vacancy_rate,
    v.survey_year as commercial_vacancy_survey_year
from summary s
left join vacancy v using (siret, residence_id)
