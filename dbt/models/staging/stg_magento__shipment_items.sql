-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each shipments record's current version only.
select
    cast(rows.{{ adapter.quote('additional_data') }} as {{ dbt.type_string() }}) as additional_data,
    cast(rows.{{ adapter.quote('description') }} as {{ dbt.type_string() }}) as description,
    cast(rows.{{ adapter.quote('entity_id') }} as {{ dbt.type_bigint() }}) as shipment_item_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('order_item_id') }} as {{ dbt.type_bigint() }}) as order_item_id,
    cast(rows.{{ adapter.quote('parent_id') }} as {{ dbt.type_bigint() }}) as shipment_id,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('price') }} as {{ dbt.type_numeric() }}) as price,
    cast(rows.{{ adapter.quote('product_id') }} as {{ dbt.type_bigint() }}) as product_id,
    cast(rows.{{ adapter.quote('qty') }} as {{ dbt.type_numeric() }}) as qty,
    cast(rows.{{ adapter.quote('row_total') }} as {{ dbt.type_numeric() }}) as row_total,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('weight') }} as {{ dbt.type_numeric() }}) as weight,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'shipment_items') }} as rows
inner join {{ source('magento', 'shipments') }} as parents
    on rows.{{ adapter.quote('parent_id') }} = parents.{{ adapter.quote('entity_id') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
