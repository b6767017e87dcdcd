-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('children') }} as {{ dbt.type_string() }}) as children,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as category_id,
    cast(rows.{{ adapter.quote('include_in_menu') }} as {{ dbt.type_boolean() }}) as include_in_menu,
    cast(rows.{{ adapter.quote('is_active') }} as {{ dbt.type_boolean() }}) as is_active,
    cast(rows.{{ adapter.quote('level') }} as {{ dbt.type_bigint() }}) as level,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('parent_id') }} as {{ dbt.type_bigint() }}) as parent_id,
    cast(rows.{{ adapter.quote('path') }} as {{ dbt.type_string() }}) as path,
    cast(rows.{{ adapter.quote('position') }} as {{ dbt.type_bigint() }}) as position,
    rows.{{ adapter.quote('updated_at') }} as updated_at,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'categories') }} as rows
