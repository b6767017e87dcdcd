-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each orders record's current version only.
select
    cast(rows.{{ adapter.quote('comment') }} as {{ dbt.type_string() }}) as comment,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('entity_id') }} as {{ dbt.type_bigint() }}) as status_history_id,
    cast(rows.{{ adapter.quote('entity_name') }} as {{ dbt.type_string() }}) as entity_name,
    cast(rows.{{ adapter.quote('is_customer_notified') }} as {{ dbt.type_bigint() }}) as is_customer_notified,
    cast(rows.{{ adapter.quote('is_visible_on_front') }} as {{ dbt.type_bigint() }}) as is_visible_on_front,
    cast(rows.{{ adapter.quote('parent_id') }} as {{ dbt.type_bigint() }}) as order_id,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_string() }}) as status,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'order_status_history') }} as rows
inner join {{ source('magento', 'orders') }} as parents
    on rows.{{ adapter.quote('parent_id') }} = parents.{{ adapter.quote('entity_id') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
