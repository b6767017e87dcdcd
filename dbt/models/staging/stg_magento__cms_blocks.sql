-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('active') }} as {{ dbt.type_boolean() }}) as active,
    cast(rows.{{ adapter.quote('content') }} as {{ dbt.type_string() }}) as content,
    rows.{{ adapter.quote('creation_time') }} as creation_time,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as id,
    cast(rows.{{ adapter.quote('identifier') }} as {{ dbt.type_string() }}) as identifier,
    cast(rows.{{ adapter.quote('title') }} as {{ dbt.type_string() }}) as title,
    rows.{{ adapter.quote('update_time') }} as update_time,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'cms_blocks') }} as rows
