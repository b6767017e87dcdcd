-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    cast(rows.{{ adapter.quote('company_id') }} as {{ dbt.type_bigint() }}) as company_id,
    cast(rows.{{ adapter.quote('shared_catalog_id') }} as {{ dbt.type_bigint() }}) as shared_catalog_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'shared_catalog_companies') }} as rows
