-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    rows.{{ adapter.quote('converted_at') }} as converted_at,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('customer_is_guest') }} as {{ dbt.type_boolean() }}) as customer_is_guest,
    cast(rows.{{ adapter.quote('customer_note') }} as {{ dbt.type_string() }}) as customer_note,
    cast(rows.{{ adapter.quote('customer_note_notify') }} as {{ dbt.type_boolean() }}) as customer_note_notify,
    cast(rows.{{ adapter.quote('customer_tax_class_id') }} as {{ dbt.type_bigint() }}) as customer_tax_class_id,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as cart_id,
    cast(rows.{{ adapter.quote('is_active') }} as {{ dbt.type_boolean() }}) as is_active,
    cast(rows.{{ adapter.quote('is_virtual') }} as {{ dbt.type_boolean() }}) as is_virtual,
    cast(rows.{{ adapter.quote('items_count') }} as {{ dbt.type_bigint() }}) as items_count,
    cast(rows.{{ adapter.quote('items_qty') }} as {{ dbt.type_numeric() }}) as items_qty,
    cast(rows.{{ adapter.quote('orig_order_id') }} as {{ dbt.type_bigint() }}) as orig_order_id,
    cast(rows.{{ adapter.quote('reserved_order_id') }} as {{ dbt.type_string() }}) as reserved_order_id,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    rows.{{ adapter.quote('updated_at') }} as updated_at,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'carts') }} as rows
