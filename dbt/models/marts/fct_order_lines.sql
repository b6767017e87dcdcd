-- One row per sold line of an order.
--
-- Magento writes a configurable product as two lines: the parent (the configurable product),
-- which carries the price and amounts, and one child, which names the simple product that was
-- sold. Here the line takes its SKU and product from the child and its amounts from the
-- parent. A bundle's line is its parent, the bundle sold; the bundle's children are its parts,
-- not lines of their own. Amounts are in the order's currency, base_* ones in the store's base.
with items as (

    select * from {{ ref('stg_magento__order_items') }}
    where not is_deleted

),

only_child as (

    select parent_item_id, min(item_id) as child_item_id
    from items
    where parent_item_id is not null
    group by parent_item_id

),

orders as (

    select order_id, order_currency_code, base_currency_code
    from {{ ref('stg_magento__orders') }}
    where not is_deleted

)

select
    items.item_id as order_line_id,
    items.order_id,
    items.store_id,
    items.created_at,
    items.product_type,
    case when items.product_type = 'configurable' then coalesce(child.sku, items.sku)
         else items.sku end as sku,
    case when items.product_type = 'configurable' then coalesce(child.product_id, items.product_id)
         else items.product_id end as product_id,
    items.sku as ordered_sku,
    items.name,
    items.qty_ordered,
    items.qty_invoiced,
    items.qty_shipped,
    items.qty_refunded,
    items.qty_canceled,
    orders.order_currency_code,
    orders.base_currency_code,
    items.price,
    items.base_price,
    items.row_total,
    items.base_row_total,
    items.discount_amount,
    items.base_discount_amount,
    items.tax_amount,
    items.base_tax_amount,
    items.amount_refunded,
    items.base_amount_refunded
from items
left join only_child on only_child.parent_item_id = items.item_id
left join items as child on child.item_id = only_child.child_item_id
left join orders on orders.order_id = items.order_id
where items.parent_item_id is null
