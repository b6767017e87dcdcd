-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('created_by') }} as {{ dbt.type_bigint() }}) as created_by,
    cast(rows.{{ adapter.quote('customer_group_id') }} as {{ dbt.type_bigint() }}) as customer_group_id,
    cast(rows.{{ adapter.quote('description') }} as {{ dbt.type_string() }}) as description,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as shared_catalog_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('store_id') }} as {{ dbt.type_bigint() }}) as store_id,
    cast(rows.{{ adapter.quote('tax_class_id') }} as {{ dbt.type_bigint() }}) as tax_class_id,
    cast(rows.{{ adapter.quote('type') }} as {{ dbt.type_bigint() }}) as type,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'shared_catalogs') }} as rows
