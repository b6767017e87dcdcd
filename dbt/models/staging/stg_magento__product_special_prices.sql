-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__product_prices', true)) }}

select
    cast(rows.{{ adapter.quote('price') }} as {{ dbt.type_numeric() }}) as price,
    cast(rows.{{ adapter.quote('price_from') }} as {{ dbt.type_string() }}) as price_from,
    cast(rows.{{ adapter.quote('price_to') }} as {{ dbt.type_string() }}) as price_to,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'product_special_prices') }} as rows
