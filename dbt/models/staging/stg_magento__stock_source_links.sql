-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__msi', true)) }}

select
    cast(rows.{{ adapter.quote('priority') }} as {{ dbt.type_bigint() }}) as priority,
    cast(rows.{{ adapter.quote('source_code') }} as {{ dbt.type_string() }}) as source_code,
    cast(rows.{{ adapter.quote('stock_id') }} as {{ dbt.type_bigint() }}) as stock_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'stock_source_links') }} as rows
