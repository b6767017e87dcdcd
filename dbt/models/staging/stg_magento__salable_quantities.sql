-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__msi', true)) }}

select
    cast(rows.{{ adapter.quote('is_salable') }} as {{ dbt.type_boolean() }}) as is_salable,
    cast(rows.{{ adapter.quote('qty') }} as {{ dbt.type_numeric() }}) as qty,
    cast(rows.{{ adapter.quote('sales_channel_code') }} as {{ dbt.type_string() }}) as sales_channel_code,
    cast(rows.{{ adapter.quote('sales_channel_type') }} as {{ dbt.type_string() }}) as sales_channel_type,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'salable_quantities') }} as rows
