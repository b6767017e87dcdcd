-- Stock per SKU and place: one row per MSI source item (location_type 'source': its quantity,
-- whether the source has it in stock, and the stocks the source feeds), and one per SKU and
-- website sales channel (location_type 'sales_channel': the salable quantity of the channel's
-- stock, after reservations).
{{ config(enabled=var('magento__msi', true)) }}

with source_items as (

    select * from {{ ref('stg_magento__source_items') }}
    where not is_deleted

),

stocks_of_source as (

    select
        links.source_code,
        min(links.stock_id) as stock_id,
        count(*) as stock_count
    from {{ ref('stg_magento__stock_source_links') }} as links
    where not links.is_deleted
    group by links.source_code

),

salable as (

    select * from {{ ref('stg_magento__salable_quantities') }}
    where not is_deleted

)

select
    source_items.sku,
    'source' as location_type,
    source_items.source_code as location_code,
    stocks_of_source.stock_id,
    source_items.quantity,
    source_items.status = 1 as is_in_stock,
    cast(null as {{ dbt.type_numeric() }}) as salable_quantity,
    cast(null as {{ dbt.type_boolean() }}) as is_salable
from source_items
left join stocks_of_source on stocks_of_source.source_code = source_items.source_code

union all

select
    salable.sku,
    'sales_channel' as location_type,
    salable.sales_channel_code as location_code,
    cast(null as {{ dbt.type_bigint() }}) as stock_id,
    cast(null as {{ dbt.type_numeric() }}) as quantity,
    cast(null as {{ dbt.type_boolean() }}) as is_in_stock,
    salable.qty as salable_quantity,
    salable.is_salable
from salable
