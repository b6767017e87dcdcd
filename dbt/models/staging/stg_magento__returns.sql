-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__rma', true)) }}

select
    cast(rows.{{ adapter.quote('customer_custom_email') }} as {{ dbt.type_string() }}) as customer_custom_email,
    cast(rows.{{ adapter.quote('customer_id') }} as {{ dbt.type_bigint() }}) as customer_id,
    rows.{{ adapter.quote('date_requested') }} as date_requested,
    cast(rows.{{ adapter.quote('entity_id') }} as {{ dbt.type_bigint() }}) as return_id,
    cast(rows.{{ adapter.quote('increment_id') }} as {{ dbt.type_string() }}) as increment_id,
    cast(rows.{{ adapter.quote('order_id') }} as {{ dbt.type_bigint() }}) as order_id,
    cast(rows.{{ adapter.quote('order_increment_id') }} as {{ dbt.type_string() }}) as order_increment_id,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_string() }}) as status,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'returns') }} as rows
