-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    cast(rows.{{ adapter.quote('available_limit') }} as {{ dbt.type_numeric() }}) as available_limit,
    cast(rows.{{ adapter.quote('balance') }} as {{ dbt.type_numeric() }}) as balance,
    cast(rows.{{ adapter.quote('company_id') }} as {{ dbt.type_bigint() }}) as company_id,
    cast(rows.{{ adapter.quote('credit_comment') }} as {{ dbt.type_string() }}) as credit_comment,
    cast(rows.{{ adapter.quote('credit_limit') }} as {{ dbt.type_numeric() }}) as credit_limit,
    cast(rows.{{ adapter.quote('currency_code') }} as {{ dbt.type_string() }}) as currency_code,
    cast(rows.{{ adapter.quote('exceed_limit') }} as {{ dbt.type_boolean() }}) as exceed_limit,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as company_credit_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'company_credits') }} as rows
