-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('attribute_set_id') }} as {{ dbt.type_bigint() }}) as attribute_set_id,
    cast(rows.{{ adapter.quote('attribute_set_name') }} as {{ dbt.type_string() }}) as attribute_set_name,
    cast(rows.{{ adapter.quote('entity_type_id') }} as {{ dbt.type_bigint() }}) as entity_type_id,
    cast(rows.{{ adapter.quote('sort_order') }} as {{ dbt.type_bigint() }}) as sort_order,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'attribute_sets') }} as rows
