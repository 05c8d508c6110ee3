-- One row per residence (a landlord's ensemble), as it stands in the latest RPLS vintage
-- where it appears, with the commercial vacancy of the latest OPS survey.
with dwellings as (
    select * from {{ ref('stg_rpls__dwellings') }}
),

latest as (
    select siret, residence_id, max(vintage) as vintage
    from dwellings group by all
),

current as (
    select d.* from dwellings d join latest l using (siret, residence_id, vintage)
),

-- the most frequent value of a column in the residence; ties go to the smallest value, so two
-- runs on the same register give the same row (mode() picks arbitrarily on ties)
{% for column in ['residence_name', 'depcom', 'qpv_code'] %}
top_{{ column }} as (
    select siret, residence_id, {{ column }}
    from current
    where {{ column }} is not null
    group by siret, residence_id, {{ column }}
    qualify row_number() over (
        partition by siret, residence_id order by count(*) desc, {{ column }}) = 1
),
{% endfor %}

summary as (
    select
        c.siret,
        c.residence_id,
        c.vintage as latest_vintage,
        count(*) as dwellings,
        count(*) filter (where c.is_in_qpv) as dwellings_in_qpv
    from current c
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
    n.residence_name,
    d.depcom,
    s.latest_vintage,
    s.dwellings,
    s.dwellings_in_qpv,
    s.dwellings_in_qpv * 2 > s.dwellings as is_in_qpv,
    q.qpv_code,
    v.commercial_vacancy_rate,
    v.survey_year as commercial_vacancy_survey_year
from summary s
left join top_residence_name n using (siret, residence_id)
left join top_depcom d using (siret, residence_id)
left join top_qpv_code q using (siret, residence_id)
left join vacancy v using (siret, residence_id)
