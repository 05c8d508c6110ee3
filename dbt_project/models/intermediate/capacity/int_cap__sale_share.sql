-- Share of each landlord's stock declared frozen for sale for the year (ACD annex 3: its
-- objective, existing + new, is reduced by that share before the DALO sub-objective).
{% call(key) for_each_key('capacity') %}
select
    p.event_year as year,
    p.siret,
    {{ exact_sum('p.sale_share') }} as sale_share,
    string_agg(p.source_file || ':' || p.source_line, ', ') as sale_share_rows
from {{ ref('int_acd__plan_events') }} p
join {{ this_year('int_cap__agreement', key) }} a using (agreement_start_year)
where p.event_kind = 'SALE_SHARE' and p.event_year = a.year
group by all
{% endcall %}
