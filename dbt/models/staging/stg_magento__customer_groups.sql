-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as customer_group_id,
    cast(rows.{{ adapter.quote('tax_class_id') }} as {{ dbt.type_bigint() }}) as tax_class_id,
    cast(rows.{{ adapter.quote('tax_class_name') }} as {{ dbt.type_string() }}) as tax_class_name,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'customer_groups') }} as rows
