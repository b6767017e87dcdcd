-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
{{ config(enabled=var('magento__msi', true)) }}

select
    cast(rows.{{ adapter.quote('city') }} as {{ dbt.type_string() }}) as city,
    cast(rows.{{ adapter.quote('contact_name') }} as {{ dbt.type_string() }}) as contact_name,
    cast(rows.{{ adapter.quote('country_id') }} as {{ dbt.type_string() }}) as country_id,
    cast(rows.{{ adapter.quote('description') }} as {{ dbt.type_string() }}) as description,
    cast(rows.{{ adapter.quote('email') }} as {{ dbt.type_string() }}) as email,
    cast(rows.{{ adapter.quote('enabled') }} as {{ dbt.type_boolean() }}) as enabled,
    cast(rows.{{ adapter.quote('fax') }} as {{ dbt.type_string() }}) as fax,
    cast(rows.{{ adapter.quote('latitude') }} as {{ dbt.type_numeric() }}) as latitude,
    cast(rows.{{ adapter.quote('longitude') }} as {{ dbt.type_numeric() }}) as longitude,
    cast(rows.{{ adapter.quote('name') }} as {{ dbt.type_string() }}) as name,
    cast(rows.{{ adapter.quote('phone') }} as {{ dbt.type_string() }}) as phone,
    cast(rows.{{ adapter.quote('postcode') }} as {{ dbt.type_string() }}) as postcode,
    cast(rows.{{ adapter.quote('region') }} as {{ dbt.type_string() }}) as region,
    cast(rows.{{ adapter.quote('region_id') }} as {{ dbt.type_bigint() }}) as region_id,
    cast(rows.{{ adapter.quote('source_code') }} as {{ dbt.type_string() }}) as source_code,
    cast(rows.{{ adapter.quote('street') }} as {{ dbt.type_string() }}) as street,
    cast(rows.{{ adapter.quote('use_default_carrier_config') }} as {{ dbt.type_boolean() }}) as use_default_carrier_config,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'inventory_sources') }} as rows
