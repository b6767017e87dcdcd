-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each products record's current version only.
select
    cast(rows.{{ adapter.quote('category_id') }} as {{ dbt.type_bigint() }}) as category_id,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('position') }} as {{ dbt.type_bigint() }}) as position,
    cast(rows.{{ adapter.quote('product_id') }} as {{ dbt.type_bigint() }}) as product_id,
    cast(rows.{{ adapter.quote('sku') }} as {{ dbt.type_string() }}) as sku,
    cast(rows.{{ adapter.quote('store_code') }} as {{ dbt.type_string() }}) as store_code,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'product_category_links') }} as rows
inner join {{ source('magento', 'products') }} as parents
    on rows.{{ adapter.quote('product_id') }} = parents.{{ adapter.quote('id') }}
    and rows.{{ adapter.quote('store_code') }} = parents.{{ adapter.quote('store_code') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
