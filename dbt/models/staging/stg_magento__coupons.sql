-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('coupon_id') }} as {{ dbt.type_bigint() }}) as coupon_id,
    rows.{{ adapter.quote('created_at') }} as created_at,
    cast(rows.{{ adapter.quote('expiration_date') }} as {{ dbt.type_string() }}) as expiration_date,
    cast(rows.{{ adapter.quote('is_primary') }} as {{ dbt.type_boolean() }}) as is_primary,
    cast(rows.{{ adapter.quote('rule_id') }} as {{ dbt.type_bigint() }}) as rule_id,
    cast(rows.{{ adapter.quote('times_used') }} as {{ dbt.type_bigint() }}) as times_used,
    cast(rows.{{ adapter.quote('type') }} as {{ dbt.type_bigint() }}) as type,
    cast(rows.{{ adapter.quote('usage_limit') }} as {{ dbt.type_bigint() }}) as usage_limit,
    cast(rows.{{ adapter.quote('usage_per_customer') }} as {{ dbt.type_bigint() }}) as usage_per_customer,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'coupons') }} as rows
