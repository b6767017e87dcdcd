-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    cast(rows.{{ adapter.quote('description') }} as {{ dbt.type_string() }}) as description,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as team_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'company_teams') }} as rows
