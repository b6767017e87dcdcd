-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__gift_wrapping', true)) }}

select
    cast(rows.{{ adapter.quote('base_currency_code') }} as {{ dbt.type_string() }}) as base_currency_code,
    cast(rows.{{ adapter.quote('base_price') }} as {{ dbt.type_numeric() }}) as base_price,
    cast(rows.{{ adapter.quote('design') }} as {{ dbt.type_string() }}) as design,
    cast(rows.{{ adapter.quote('image_name') }} as {{ dbt.type_string() }}) as image_name,
    cast(rows.{{ adapter.quote('image_url') }} as {{ dbt.type_string() }}) as image_url,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_bigint() }}) as status,
    cast(rows.{{ adapter.quote('wrapping_id') }} as {{ dbt.type_bigint() }}) as wrapping_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'gift_wrappings') }} as rows
