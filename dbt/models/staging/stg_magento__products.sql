-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('attribute_set_id') }} as {{ dbt.type_bigint() }}) as attribute_set_id,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as product_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('price') }} as {{ dbt.type_numeric() }}) as price,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_bigint() }}) as status,
    cast(rows.{{ adapter.quote('store_code') }} as {{ dbt.type_string() }}) as store_code,
    cast(rows.{{ adapter.quote('type_id') }} as {{ dbt.type_string() }}) as type_id,
    rows.{{ adapter.quote('updated_at') }} as updated_at,
    cast(rows.{{ adapter.quote('visibility') }} as {{ dbt.type_bigint() }}) as visibility,
    cast(rows.{{ adapter.quote('weight') }} as {{ dbt.type_numeric() }}) as weight,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'products') }} as rows
