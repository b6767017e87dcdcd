-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__b2b', true)) }}

select
    cast(rows.{{ adapter.quote('city') }} as {{ dbt.type_string() }}) as city,
    cast(rows.{{ adapter.quote('comment') }} as {{ dbt.type_string() }}) as comment,
    cast(rows.{{ adapter.quote('company_email') }} as {{ dbt.type_string() }}) as company_email,
    cast(rows.{{ adapter.quote('company_name') }} as {{ dbt.type_string() }}) as company_name,
    cast(rows.{{ adapter.quote('country_id') }} as {{ dbt.type_string() }}) as country_id,
    cast(rows.{{ adapter.quote('customer_group_id') }} as {{ dbt.type_bigint() }}) as customer_group_id,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as company_id,
    cast(rows.{{ adapter.quote('legal_name') }} as {{ dbt.type_string() }}) as legal_name,
    cast(rows.{{ adapter.quote('postcode') }} as {{ dbt.type_string() }}) as postcode,
    cast(rows.{{ adapter.quote('region') }} as {{ dbt.type_string() }}) as region,
    cast(rows.{{ adapter.quote('region_id') }} as {{ dbt.type_string() }}) as region_id,
    cast(rows.{{ adapter.quote('reject_reason') }} as {{ dbt.type_string() }}) as reject_reason,
    rows.{{ adapter.quote('rejected_at') }} as rejected_at,
    cast(rows.{{ adapter.quote('reseller_id') }} as {{ dbt.type_string() }}) as reseller_id,
    cast(rows.{{ adapter.quote('sales_representative_id') }} as {{ dbt.type_bigint() }}) as sales_representative_id,
    cast(rows.{{ adapter.quote('status') }} as {{ dbt.type_bigint() }}) as status,
    cast(rows.{{ adapter.quote('super_user_id') }} as {{ dbt.type_bigint() }}) as super_user_id,
    cast(rows.{{ adapter.quote('telephone') }} as {{ dbt.type_string() }}) as telephone,
    cast(rows.{{ adapter.quote('vat_tax_id') }} as {{ dbt.type_string() }}) as vat_tax_id,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'companies') }} as rows
