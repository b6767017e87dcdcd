-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('is_closed') }} as {{ dbt.type_bigint() }}) as is_closed,
    cast(rows.{{ adapter.quote('order_id') }} as {{ dbt.type_bigint() }}) as order_id,
    cast(rows.{{ adapter.quote('parent_id') }} as {{ dbt.type_bigint() }}) as parent_id,
    cast(rows.{{ adapter.quote('parent_txn_id') }} as {{ dbt.type_string() }}) as parent_txn_id,
    cast(rows.{{ adapter.quote('payment_id') }} as {{ dbt.type_bigint() }}) as payment_id,
    cast(rows.{{ adapter.quote('transaction_id') }} as {{ dbt.type_bigint() }}) as transaction_id,
    cast(rows.{{ adapter.quote('txn_id') }} as {{ dbt.type_string() }}) as txn_id,
    cast(rows.{{ adapter.quote('txn_type') }} as {{ dbt.type_string() }}) as txn_type,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'transactions') }} as rows
