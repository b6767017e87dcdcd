-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__msi', true)) }}

select
    cast(rows.{{ adapter.quote('quantity') }} as {{ dbt.type_numeric() }}) as quantity,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('source_code') }} as {{ dbt.type_string() }}) as source_code,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_bigint() }}) as status,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'source_items') }} as rows
