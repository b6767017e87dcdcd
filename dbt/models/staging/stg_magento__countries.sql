-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
select
    cast(rows.{{ adapter.quote('full_name_english') }} as {{ dbt.type_string() }}) as full_name_english,
    cast(rows.{{ adapter.quote('full_name_locale') }} as {{ dbt.type_string() }}) as full_name_locale,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_string() }}) as id,
    cast(rows.{{ adapter.quote('three_letter_abbreviation') }} as {{ dbt.type_string() }}) as three_letter_abbreviation,
    cast(rows.{{ adapter.quote('two_letter_abbreviation') }} as {{ dbt.type_string() }}) as two_letter_abbreviation,
    rows._sdc_extracted_at as extracted_at,
    rows._sdc_deleted_at as deleted_at,
    rows._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'countries') }} as rows
