-- One row per dwelling per RPLS vintage (the register on 1 January of `vintage`).
with source as (
    select * from {{ source('raw_validated', 'rpls') }}
),

renamed as (
    select
        cast(_partition as integer) as vintage,
        ident_rep as ident_rep,
        siret as siret,
        rs as register_landlord_name,
        depcom as depcom,
        libcom as commune_name,
        qpv = 1 as is_in_qpv,
        qpv_code as qpv_code,
        residence_id as residence_id,
        residence_nom as residence_name,
        typeconst as building_type,
        {{ label('rpls.TYPECONST', 'typeconst') }} as building_type_label,
        nbpiece as rooms,
        surfhab as floor_area_m2,
        construct as year_built,
        locat as year_first_let,
        origine as origin_code,
        finan as finan_code,
        {{ label('rpls.FINAN', 'finan') }} as finan_label,
        conv as conv_code,
        mode as occupancy_mode,
        {{ label('rpls.MODE', 'mode') }} as occupancy_mode_label,
        contreslog as reservation_code,
        {{ label('rpls.CONTRESLOG', 'contreslog') }} as reservation_label,
        case when loyerprinc = 9999 then null else loyerprinc end as monthly_rent_eur,
        dpeenergie as energy_class,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from renamed
