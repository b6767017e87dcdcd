-- One row per product and store view: its attributes as that view shows them, its categories'
-- names, and, when product_prices is loaded (var magento__product_prices), what the view's
-- storefront charges for it, in the view's display currency.
with products as (

    select * from {{ ref('stg_magento__products') }}
    where not is_deleted

),

categories as (

    select
        links.product_id,
        links.store_code,
        {{ dbt.listagg('categories.name', "', '", 'order by categories.name') }} as category_names,
        count(*) as category_count
    from {{ ref('stg_magento__product_category_links') }} as links
    inner join {{ ref('stg_magento__categories') }} as categories
        on categories.category_id = links.category_id
    where not links.is_deleted
    group by links.product_id, links.store_code

)

{% if var('magento__product_prices', true) %}
, prices as (

    select * from {{ ref('stg_magento__product_prices') }}
    where not is_deleted

)
{% endif %}

select
    products.product_id,
    products.store_code,
    products.sku,
    products.name,
    products.type_id as product_type,
    products.attribute_set_id,
    products.status,
    products.visibility,
    products.price as base_price,
    products.created_at,
    products.updated_at,
    categories.category_names,
    coalesce(categories.category_count, 0) as category_count,
{% if var('magento__product_prices', true) %}
    prices.product_id is not null as is_on_storefront,
    prices.currency_code as storefront_currency_code,
    prices.final_price as storefront_final_price,
    prices.regular_price as storefront_regular_price,
    prices.minimal_price as storefront_minimal_price,
    prices.max_price as storefront_max_price
{% else %}
    cast(null as {{ dbt.type_boolean() }}) as is_on_storefront,
    cast(null as {{ dbt.type_string() }}) as storefront_currency_code,
    cast(null as {{ dbt.type_numeric() }}) as storefront_final_price,
    cast(null as {{ dbt.type_numeric() }}) as storefront_regular_price,
    cast(null as {{ dbt.type_numeric() }}) as storefront_minimal_price,
    cast(null as {{ dbt.type_numeric() }}) as storefront_max_price
{% endif %}
from products
left join categories
    on categories.product_id = products.product_id
    and categories.store_code = products.store_code
{% if var('magento__product_prices', true) %}
left join prices
    on prices.product_id = products.product_id
    and prices.store_code = products.store_code
{% endif %}
