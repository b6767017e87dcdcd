-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('base_currency_code') }} as {{ dbt.type_string() }}) as base_currency_code,
    cast(rows.{{ adapter.quote('base_currency_symbol') }} as {{ dbt.type_string() }}) as base_currency_symbol,
    cast(rows.{{ adapter.quote('default_display_currency_code') }} as {{ dbt.type_string() }}) as default_display_currency_code,
    cast(rows.{{ adapter.quote('default_display_currency_symbol') }} as {{ dbt.type_string() }}) as default_display_currency_symbol,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'currencies') }} as rows
