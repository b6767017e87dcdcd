-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('calculate_subtotal') }} as {{ dbt.type_boolean() }}) as calculate_subtotal,
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as id,
    cast(rows.{{ adapter.quote('position') }} as {{ dbt.type_bigint() }}) as position,
    cast(rows.{{ adapter.quote('priority') }} as {{ dbt.type_bigint() }}) as priority,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'tax_rules') }} as rows
