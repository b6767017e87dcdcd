-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('base_currency_code') }} as {{ dbt.type_string() }}) as base_currency_code,
    cast(rows.{{ adapter.quote('base_link_url') }} as {{ dbt.type_string() }}) as base_link_url,
    cast(rows.{{ adapter.quote('base_media_url') }} as {{ dbt.type_string() }}) as base_media_url,
    cast(rows.{{ adapter.quote('base_static_url') }} as {{ dbt.type_string() }}) as base_static_url,
    cast(rows.{{ adapter.quote('base_url') }} as {{ dbt.type_string() }}) as base_url,
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('default_display_currency_code') }} as {{ dbt.type_string() }}) as default_display_currency_code,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as store_id,
    cast(rows.{{ adapter.quote('locale') }} as {{ dbt.type_string() }}) as locale,
    cast(rows.{{ adapter.quote('secure_base_link_url') }} as {{ dbt.type_string() }}) as secure_base_link_url,
    cast(rows.{{ adapter.quote('secure_base_media_url') }} as {{ dbt.type_string() }}) as secure_base_media_url,
    cast(rows.{{ adapter.quote('secure_base_static_url') }} as {{ dbt.type_string() }}) as secure_base_static_url,
    cast(rows.{{ adapter.quote('secure_base_url') }} as {{ dbt.type_string() }}) as secure_base_url,
    cast(rows.{{ adapter.quote('timezone') }} as {{ dbt.type_string() }}) as timezone,
    cast(rows.{{ adapter.quote('website_id') }} as {{ dbt.type_bigint() }}) as website_id,
    cast(rows.{{ adapter.quote('weight_unit') }} as {{ dbt.type_string() }}) as weight_unit,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'store_configs') }} as rows
