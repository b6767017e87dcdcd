-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each products record's current version only.
select
    cast(rows.{{ adapter.quote('file_extension') }} as {{ dbt.type_string() }}) as file_extension,
    cast(rows.{{ adapter.quote('image_size_x') }} as {{ dbt.type_bigint() }}) as image_size_x,
    cast(rows.{{ adapter.quote('image_size_y') }} as {{ dbt.type_bigint() }}) as image_size_y,
    cast(rows.{{ adapter.quote('is_require') }} as {{ dbt.type_boolean() }}) as is_require,
    cast(rows.{{ adapter.quote('max_characters') }} as {{ dbt.type_bigint() }}) as max_characters,
    cast(rows.{{ adapter.quote('option_id') }} as {{ dbt.type_bigint() }}) as option_id,
    cast(rows.{{ adapter.quote('option_sku') }} as {{ dbt.type_string() }}) as option_sku,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('price') }} as {{ dbt.type_numeric() }}) as price,
    cast(rows.{{ adapter.quote('price_type') }} as {{ dbt.type_string() }}) as price_type,
    cast(rows.{{ adapter.quote('product_id') }} as {{ dbt.type_bigint() }}) as product_id,
    cast(rows.{{ adapter.quote('product_sku') }} as {{ dbt.type_string() }}) as product_sku,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('sort_order') }} as {{ dbt.type_bigint() }}) as sort_order,
    cast(rows.{{ adapter.quote('store_code') }} as {{ dbt.type_string() }}) as store_code,
    cast(rows.{{ adapter.quote('title') }} as {{ dbt.type_string() }}) as title,
    cast(rows.{{ adapter.quote('type') }} as {{ dbt.type_string() }}) as type,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'product_options') }} as rows
inner join {{ source('magento', 'products') }} as parents
    on rows.{{ adapter.quote('product_id') }} = parents.{{ adapter.quote('id') }}
    and rows.{{ adapter.quote('store_code') }} = parents.{{ adapter.quote('store_code') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
