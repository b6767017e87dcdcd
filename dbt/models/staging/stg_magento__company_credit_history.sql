-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    cast(rows.{{ adapter.quote('amount') }} as {{ dbt.type_numeric() }}) as amount,
    cast(rows.{{ adapter.quote('available_limit') }} as {{ dbt.type_numeric() }}) as available_limit,
    cast(rows.{{ adapter.quote('balance') }} as {{ dbt.type_numeric() }}) as balance,
    cast(rows.{{ adapter.quote('comment') }} as {{ dbt.type_string() }}) as comment,
    cast(rows.{{ adapter.quote('company_credit_id') }} as {{ dbt.type_bigint() }}) as company_credit_id,
    cast(rows.{{ adapter.quote('credit_limit') }} as {{ dbt.type_numeric() }}) as credit_limit,
    cast(rows.{{ adapter.quote('currency_credit') }} as {{ dbt.type_string() }}) as currency_credit,
    cast(rows.{{ adapter.quote('currency_operation') }} as {{ dbt.type_string() }}) as currency_operation,
    cast(rows.{{ adapter.quote('custom_reference_number') }} as {{ dbt.type_string() }}) as custom_reference_number,
    cast(rows.{{ adapter.quote('datetime') }} as {{ dbt.type_string() }}) as datetime,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as credit_history_id,
    cast(rows.{{ adapter.quote('purchase_order') }} as {{ dbt.type_string() }}) as purchase_order,
    cast(rows.{{ adapter.quote('rate') }} as {{ dbt.type_numeric() }}) as rate,
    cast(rows.{{ adapter.quote('rate_credit') }} as {{ dbt.type_numeric() }}) as rate_credit,
    cast(rows.{{ adapter.quote('type') }} as {{ dbt.type_bigint() }}) as type,
    cast(rows.{{ adapter.quote('user_id') }} as {{ dbt.type_bigint() }}) as user_id,
    cast(rows.{{ adapter.quote('user_type') }} as {{ dbt.type_bigint() }}) as user_type,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'company_credit_history') }} as rows
