-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('billing_address_id') }} as {{ dbt.type_bigint() }}) as billing_address_id,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('customer_id') }} as {{ dbt.type_bigint() }}) as customer_id,
    cast(rows.{{ adapter.quote('email_sent') }} as {{ dbt.type_bigint() }}) as email_sent,
    cast(rows.{{ adapter.quote('entity_id') }} as {{ dbt.type_bigint() }}) as shipment_id,
    cast(rows.{{ adapter.quote('increment_id') }} as {{ dbt.type_string() }}) as increment_id,
    cast(rows.{{ adapter.quote('order_id') }} as {{ dbt.type_bigint() }}) as order_id,
    cast(rows.{{ adapter.quote('shipment_status') }} as {{ dbt.type_bigint() }}) as shipment_status,
    cast(rows.{{ adapter.quote('shipping_address_id') }} as {{ dbt.type_bigint() }}) as shipping_address_id,
    cast(rows.{{ adapter.quote('shipping_label') }} as {{ dbt.type_string() }}) as shipping_label,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    cast(rows.{{ adapter.quote('total_qty') }} as {{ dbt.type_numeric() }}) as total_qty,
    cast(rows.{{ adapter.quote('total_weight') }} as {{ dbt.type_numeric() }}) as total_weight,
    rows.{{ adapter.quote('updated_at') }} as updated_at,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'shipments') }} as rows
