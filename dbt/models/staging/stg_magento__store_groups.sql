-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('default_store_id') }} as {{ dbt.type_bigint() }}) as default_store_id,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as store_group_id,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('root_category_id') }} as {{ dbt.type_bigint() }}) as root_category_id,
    cast(rows.{{ adapter.quote('website_id') }} as {{ dbt.type_bigint() }}) as website_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'store_groups') }} as rows
