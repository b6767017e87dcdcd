-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('class_id') }} as {{ dbt.type_bigint() }}) as class_id,
    cast(rows.{{ adapter.quote('class_name') }} as {{ dbt.type_string() }}) as class_name,
    cast(rows.{{ adapter.quote('class_type') }} as {{ dbt.type_string() }}) as class_type,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'tax_classes') }} as rows
