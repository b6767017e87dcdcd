-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each invoices record's current version only.
select
    cast(rows.{{ adapter.quote('comment') }} as {{ dbt.type_string() }}) as comment,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('entity_id') }} as {{ dbt.type_bigint() }}) as invoice_comment_id,
    cast(rows.{{ adapter.quote('is_customer_notified') }} as {{ dbt.type_bigint() }}) as is_customer_notified,
    cast(rows.{{ adapter.quote('is_visible_on_front') }} as {{ dbt.type_bigint() }}) as is_visible_on_front,
    cast(rows.{{ adapter.quote('parent_id') }} as {{ dbt.type_bigint() }}) as invoice_id,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'invoice_comments') }} as rows
inner join {{ source('magento', 'invoices') }} as parents
    on rows.{{ adapter.quote('parent_id') }} = parents.{{ adapter.quote('entity_id') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
