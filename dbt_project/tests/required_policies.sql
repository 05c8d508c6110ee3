-- The law's quotas apply to every territory: without raw/cia/LAW.csv, territories with no CIA
-- of their own would have no quota at all (a landing zone made before LAW.csv replaced
-- DEFAULT.csv fails here, naming the file).
select 'raw/cia/LAW.csv' as missing_file
where not exists (
    select 1 from {{ ref('stg_cia__policies') }} where territory_id = 'LAW'
)
