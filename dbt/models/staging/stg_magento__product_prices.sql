-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__product_prices', true)) }}

select
    cast(rows.{{ adapter.quote('currency_code') }} as {{ dbt.type_string() }}) as currency_code,
    cast(rows.{{ adapter.quote('final_price') }} as {{ dbt.type_numeric() }}) as final_price,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as product_id,
    cast(rows.{{ adapter.quote('is_salable') }} as {{ dbt.type_string() }}) as is_salable,
    cast(rows.{{ adapter.quote('max_price') }} as {{ dbt.type_numeric() }}) as max_price,
    cast(rows.{{ adapter.quote('max_regular_price') }} as {{ dbt.type_numeric() }}) as max_regular_price,
    cast(rows.{{ adapter.quote('minimal_price') }} as {{ dbt.type_numeric() }}) as minimal_price,
    cast(rows.{{ adapter.quote('minimal_regular_price') }} as {{ dbt.type_numeric() }}) as minimal_regular_price,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('regular_price') }} as {{ dbt.type_numeric() }}) as regular_price,
    cast(rows.{{ adapter.quote('special_price') }} as {{ dbt.type_numeric() }}) as special_price,
    cast(rows.{{ adapter.quote('store_code') }} as {{ dbt.type_string() }}) as store_code,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    cast(rows.{{ adapter.quote('type') }} as {{ dbt.type_string() }}) as type,
    cast(rows.{{ adapter.quote('url') }} as {{ dbt.type_string() }}) as url,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'product_prices') }} as rows
