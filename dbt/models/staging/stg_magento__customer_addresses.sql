-- Written by scripts/write_dbt.py from the tap's schema: edit the generator, not this.
-- Rows of each customers record's current version only.
select
    cast(rows.{{ adapter.quote('city') }} as {{ dbt.type_string() }}) as city,
    cast(rows.{{ adapter.quote('company') }} as {{ dbt.type_string() }}) as company,
    cast(rows.{{ adapter.quote('country_id') }} as {{ dbt.type_string() }}) as country_id,
    cast(rows.{{ adapter.quote('customer_id') }} as {{ dbt.type_bigint() }}) as customer_id,
    cast(rows.{{ adapter.quote('default_billing') }} as {{ dbt.type_boolean() }}) as default_billing,
    cast(rows.{{ adapter.quote('default_shipping') }} as {{ dbt.type_boolean() }}) as default_shipping,
    cast(rows.{{ adapter.quote('fax') }} as {{ dbt.type_string() }}) as fax,
    cast(rows.{{ adapter.quote('firstname') }} as {{ dbt.type_string() }}) as firstname,
    cast(rows.{{ adapter.quote('id') }} as {{ dbt.type_bigint() }}) as customer_address_id,
    cast(rows.{{ adapter.quote('lastname') }} as {{ dbt.type_string() }}) as lastname,
    cast(rows.{{ adapter.quote('middlename') }} as {{ dbt.type_string() }}) as middlename,
    rows.{{ adapter.quote('parent_updated_at') }} as parent_updated_at,
    cast(rows.{{ adapter.quote('postcode') }} as {{ dbt.type_string() }}) as postcode,
    cast(rows.{{ adapter.quote('prefix') }} as {{ dbt.type_string() }}) as prefix,
    cast(rows.{{ adapter.quote('region_id') }} as {{ dbt.type_bigint() }}) as region_id,
    cast(rows.{{ adapter.quote('suffix') }} as {{ dbt.type_string() }}) as suffix,
    cast(rows.{{ adapter.quote('telephone') }} as {{ dbt.type_string() }}) as telephone,
    cast(rows.{{ adapter.quote('vat_id') }} as {{ dbt.type_string() }}) as vat_id,
    rows._sdc_extracted_at as extracted_at,
    parents._sdc_deleted_at as deleted_at,
    parents._sdc_deleted_at is not null as is_deleted
from {{ source('magento', 'customer_addresses') }} as rows
inner join {{ source('magento', 'customers') }} as parents
    on rows.{{ adapter.quote('customer_id') }} = parents.{{ adapter.quote('id') }}
    and rows.parent_updated_at = parents.{{ adapter.quote('updated_at') }}
