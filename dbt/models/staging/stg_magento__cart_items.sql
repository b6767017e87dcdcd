-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each carts record's current version only.
select
    cast(rows.{{ adapter.quote('item_id') }} as {{ dbt.type_bigint() }}) as item_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('price') }} as {{ dbt.type_numeric() }}) as price,
    cast(rows.{{ adapter.quote('product_type') }} as {{ dbt.type_string() }}) as product_type,
    cast(rows.{{ adapter.quote('qty') }} as {{ dbt.type_numeric() }}) as qty,
    cast(rows.{{ adapter.quote('quote_id') }} as {{ dbt.type_string() }}) as cart_id,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'cart_items') }} as rows
inner join {{ source('magento', 'carts') }} as parents
    on cast(rows.{{ adapter.quote('quote_id') }} as {{ dbt.type_string() }}) = cast(parents.{{ adapter.quote('id') }} as {{ dbt.type_string() }})
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
