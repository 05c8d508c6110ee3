{#
  The yearly, survey and period models compute every key loaded in the warehouse in one dbt
  invocation: the model's SQL for one key is written once, inside
      {% call(key) for_each_key('capacity') %} ... {{ capacity_year(key) }} ... {% endcall %}
  and rendered once per key, the blocks joined by UNION ALL. Incremental models replace the rows
  of the keys computed (delete+insert on the key column) and keep the others.

  Which keys: scope('<kind>_keys') when given (a list), else every key the raw layer holds,
  limited to scope('years') when given (a backfill of some years; for surveys, those of the
  years and the latest one at or before the first year, OPS being biennial):
    capacity: every year the loaded plans cover, from each agreement's start to its last event
    survey:   every OPS survey year loaded
    period:   every SNE period with decisions loaded ('2025', or '2026T2' for year to date);
              with period_keys (a quarterly run), those and the later quarters of their year
              already loaded, which count them (a quarter delivered late, or again)
  With no key, the model renders its SQL once for a key that matches nothing, so its table
  exists, with its columns, and no row.

  A whole run (attrib's annual run) builds with --full-refresh: every incremental model is
  created anew from every loaded key, as a table would be, without the copy a delete+insert
  of every key costs.
#}

{#
  What a run restricted to some years or periods computes: 'years' (a backfill),
  'period_keys' (a quarterly run), 'capacity_keys', 'survey_keys'; none in a whole run.
  attrib passes it to its dbt process (core/dbt_process.py, --attrib-scope), read here when
  the models run, never while dbt parses: a dbt var would make dbt parse the whole project
  again whenever it changes. A var of the same name given to dbt run alone
  (attrib dbt -- build --vars '{years: [2024]}') takes precedence.
#}
{% macro scope(name) -%}
    {%- if var(name, none) is not none -%}
        {%- do return(var(name)) -%}
    {%- elif execute -%}
        {%- do return(fromjson(env_var('ATTRIB_DBT_SCOPE', '{}')).get(name)) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}
{% macro loaded_keys(kind, every_key=false) -%}
    {%- set queries = {
        'capacity': "select distinct cast(YEAR as varchar) from raw_validated.acd_plans
                     where YEAR >= cast(_partition as integer)",
        'survey': "select distinct _partition from raw_validated.ops",
        'period': "select distinct _partition from raw_validated.sne_attributions",
    } -%}
    {%- set keys = [] -%}
    {%- if scope(kind ~ '_keys') is not none and not every_key -%}
        {%- for k in scope(kind ~ '_keys') -%}{%- do keys.append(k | string) -%}{%- endfor -%}
        {%- if kind == 'period' and execute -%}
            {#- a quarter counts year to date: one loaded (or loaded again) after later quarters
                of its year changes those periods too, computed again with it -#}
            {%- set asked = keys | list -%}
            {%- for k in run_query(queries[kind] ~ ' order by 1').columns[0].values() -%}
                {%- for a in asked -%}
                    {%- if k[:4] == a[:4] and k > a and k not in keys -%}
                        {%- do keys.append(k) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
        {%- endif -%}
    {%- elif execute -%}
        {%- for k in run_query(queries[kind] ~ ' order by 1').columns[0].values() -%}
            {%- do keys.append(k | string) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set years = none if every_key else scope('years') -%}
    {%- set kept = [] -%}
    {%- if years is not none and kind == 'survey' -%}
        {#- OPS is biennial: a year's fragility is that of the latest survey at or before it -#}
        {%- set floor = namespace(key=none) -%}
        {%- for k in keys | sort -%}
            {%- if (k | int) <= (years | min) -%}{%- set floor.key = k | int -%}{%- endif -%}
        {%- endfor -%}
        {%- for k in keys -%}
            {%- if (k | int) <= (years | max)
                   and (floor.key is none or (k | int) >= floor.key) -%}
                {%- do kept.append(k) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- for k in keys -%}
            {%- if years is none or (k[:4] | int) in years -%}{%- do kept.append(k) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do return(kept) -%}
{%- endmacro %}

{% macro for_each_key(kind, every_key=false) -%}
    {#- every_key: a view renders every loaded key, whatever the run's scope (a view is not
        built by key: its SQL is all there is of it) -#}
    {%- set keys = loaded_keys(kind, every_key) -%}
    {%- if keys | length == 0 %}
select * from (
{{ caller('0') }}
) where false
    {%- else -%}
        {%- for key in keys %}
{% if not loop.first %}union all
{% endif %}(
{{ caller(key) }}
)
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{# A capacity (yearly) model's year. #}
{% macro capacity_year(key) -%}cast({{ key }} as integer){%- endmacro %}

{# A yearly model's rows for the year only (yearly tables keep every year). #}
{% macro this_year(model_name, key) -%}
    (select * from {{ ref(model_name) }} where year = {{ capacity_year(key) }})
{%- endmacro %}

{# The OPS survey year of a survey model. #}
{% macro survey_year(key) -%}cast({{ key }} as integer){%- endmacro %}

{# An SNE period: '2025' (the year) or '2025T2' (year to date, through the second quarter). #}
{% macro period_key(key) -%}'{{ key }}'{%- endmacro %}
{% macro period_year(key) -%}{{ year_of_period(period_key(key)) }}{%- endmacro %}
{% macro period_last_quarter(key) -%}{{ last_quarter_of_period(period_key(key)) }}{%- endmacro %}
{# The same, of a column or expression holding period keys (a model over every period). #}
{% macro year_of_period(expr) -%}cast(left({{ expr }}, 4) as integer){%- endmacro %}
{% macro last_quarter_of_period(expr) -%}
    coalesce(cast(nullif(substr({{ expr }}, 6, 1), '') as integer), 4)
{%- endmacro %}
{% macro period_is_year(key) -%}(length({{ period_key(key) }}) = 4){%- endmacro %}

{#
  Post-hook of the yearly, survey and period models: remove the rows of keys the raw layer no
  longer holds (their files were removed from the landing zone), so a removed extract leaves
  no figure behind. A backfill (scope years or <kind>_keys) touches only its own keys.
#}
{% macro prune_unloaded_keys(kind, column) -%}
    {%- if execute and config.get('materialized') != 'view'
           and scope('years') is none and scope(kind ~ '_keys') is none -%}
        {%- set keys = loaded_keys(kind) -%}
        delete from {{ this }} where
        {%- if keys %} cast({{ column }} as varchar) not in (
            {%- for k in keys %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor -%})
        {%- else %} true
        {%- endif -%}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#
  Every SNE period loaded, and those the run names (period_keys: a quarter computed from a
  yearly extract): the periods of a model over all periods (the facts views), a superset of
  those the period marts hold whatever a run computed. A query with one column, period.
#}
{% macro sne_periods() -%}
    select distinct _partition as period from {{ source('raw_validated', 'sne_attributions') }}
    {%- for k in scope('period_keys') or [] %}
    union select '{{ k }}'
    {%- endfor %}
{%- endmacro %}

{#
  The SNE staging, intermediate and fact models (demands, decisions, attributions) are rebuilt
  whole by a run over every period, and by extract year in a run restricted to some years or
  periods (a quarterly run, a backfill): those years are staged and computed again, the others
  kept. sne_years() is that scope (none for a whole run); a model opts in with
      {{ config(**sne_by_year('extract_year')) }}
  and filters its input with {{ sne_years_filter('extract_year') }} (no filter when whole).
  Decisions and demands of one extract year join only each other (a decision reads the
  demand's snapshot of its commission year), so a year computed alone is what a whole run
  computes for it. Their pre-hook deletes the rows of those years, and their materialization
  (incremental_insert.sql) inserts the new rows straight from the query.
#}
{% macro sne_years() -%}
    {%- set years = [] -%}
    {%- if scope('years') is not none -%}
        {%- for y in scope('years') -%}{%- do years.append(y | int) -%}{%- endfor -%}
    {%- elif scope('period_keys') is not none -%}
        {%- for k in scope('period_keys') -%}
            {%- if ((k | string)[:4] | int) not in years -%}
                {%- do years.append((k | string)[:4] | int) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- else -%}
        {%- do return(none) -%}
    {%- endif -%}
    {%- do return(years | sort) -%}
{%- endmacro %}

{% macro sne_by_year(column) -%}
    {%- do return({
        'materialized': 'incremental_insert',
        'incremental_strategy': 'delete+insert',
        'unique_key': column,
        'on_schema_change': 'sync_all_columns',
        'pre_hook': ["{{ sne_clear_years('" ~ column ~ "') }}"],
    }) -%}
{%- endmacro %}

{# Whether this build computes some years only (a unit test's model has no relation). #}
{% macro sne_by_year_now() -%}
    {%- do return(sne_years() is not none and this is not none and is_incremental()) -%}
{%- endmacro %}

{#
  A restricted run first removes the rows of its years (one whose files are gone too); a whole
  build on the table (dbt run alone, without --full-refresh) removes every row, as rebuilding
  the table would.
#}
{% macro sne_clear_years(column) -%}
    {%- if sne_by_year_now() -%}
        delete from {{ this }} where {{ column }} in ({{ sne_years() | join(', ') }})
    {%- elif execute and this is not none and is_incremental() -%}
        delete from {{ this }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{% macro sne_years_filter(expr) -%}
    {%- if sne_by_year_now() %} where {{ expr }} in ({{ sne_years() | join(', ') }}){% endif -%}
{%- endmacro %}

{#
  The rows a data test on an SNE model checks: in a run restricted to some years (a quarterly
  run, a backfill), the rows of those years, the others being kept as they were checked when
  built; else every row. A test opts in with its `where` config naming the year column:
      config: {where: "sne_years(year)"}
  (dbt does not render project macros in test configs, so the marker is read here, where dbt
  puts a test's `where` into its query.)
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where and where.startswith('sne_years(') -%}
        {%- set column = where[10:-1] -%}
        {%- set where = column ~ ' in (' ~ (sne_years() | join(', ')) ~ ')'
                        if sne_years() is not none else '' -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
