-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('code') }} as {{ dbt.type_string() }}) as code,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as id,
    cast(rows.{{ adapter.quote('rate') }} as {{ dbt.type_numeric() }}) as rate,
    cast(rows.{{ adapter.quote('region_name') }} as {{ dbt.type_string() }}) as region_name,
    cast(rows.{{ adapter.quote('tax_country_id') }} as {{ dbt.type_string() }}) as tax_country_id,
    cast(rows.{{ adapter.quote('tax_postcode') }} as {{ dbt.type_string() }}) as tax_postcode,
    cast(rows.{{ adapter.quote('tax_region_id') }} as {{ dbt.type_bigint() }}) as tax_region_id,
    cast(rows.{{ adapter.quote('zip_from') }} as {{ dbt.type_bigint() }}) as zip_from,
    cast(rows.{{ adapter.quote('zip_is_range') }} as {{ dbt.type_bigint() }}) as zip_is_range,
    cast(rows.{{ adapter.quote('zip_to') }} as {{ dbt.type_bigint() }}) as zip_to,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'tax_rates') }} as rows
