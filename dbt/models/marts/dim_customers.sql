-- One row per customer: default billing and shipping address, group, first and last order,
-- and lifetime value (base currency, net of refunds). Deleted customers are left out.
with customers as (

    select * from {{ ref('stg_magento__customers') }}
    where not is_deleted

),

addresses as (

    select * from {{ ref('stg_magento__customer_addresses') }}
    where not is_deleted

),

default_billing as (

    select customer_id, min(customer_address_id) as customer_address_id
    from addresses
    where default_billing
    group by customer_id

),

default_shipping as (

    select customer_id, min(customer_address_id) as customer_address_id
    from addresses
    where default_shipping
    group by customer_id

),

orders as (

    select
        customer_id,
        count(*) as order_count,
        min(created_at) as first_order_at,
        max(created_at) as last_order_at,
        sum(base_net_total) as lifetime_value
    from {{ ref('fct_orders') }}
    where not is_guest
    group by customer_id

)

select
    customers.customer_id,
    customers.email,
    customers.firstname,
    customers.lastname,
    customers.group_id as customer_group_id,
    groups.code as customer_group,
    customers.website_id,
    customers.store_id,
    customers.created_at,
    customers.updated_at,
    billing.customer_address_id as billing_address_id,
    billing.city as billing_city,
    billing.postcode as billing_postcode,
    billing.country_id as billing_country_id,
    shipping.customer_address_id as shipping_address_id,
    shipping.city as shipping_city,
    shipping.postcode as shipping_postcode,
    shipping.country_id as shipping_country_id,
    coalesce(orders.order_count, 0) as order_count,
    orders.first_order_at,
    orders.last_order_at,
    coalesce(orders.lifetime_value, 0) as lifetime_value
from customers
left join {{ ref('stg_magento__customer_groups') }} as groups
    on groups.customer_group_id = customers.group_id
left join default_billing on default_billing.customer_id = customers.customer_id
left join addresses as billing on billing.customer_address_id = default_billing.customer_address_id
left join default_shipping on default_shipping.customer_id = customers.customer_id
left join addresses as shipping
    on shipping.customer_address_id = default_shipping.customer_address_id
left join orders on orders.customer_id = customers.customer_id
