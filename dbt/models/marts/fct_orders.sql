-- One row per order: totals, status and state, customer (guest or not), store, the first and
-- last invoice and shipment, and what credit memos refunded. Deleted orders are left out.
with orders as (

    select * from {{ ref('stg_magento__orders') }}
    where not is_deleted

),

invoices as (

    select
        order_id,
        count(*) as invoice_count,
        min(created_at) as first_invoiced_at,
        max(created_at) as last_invoiced_at,
        sum(grand_total) as invoiced,
        sum(base_grand_total) as base_invoiced
    from {{ ref('stg_magento__invoices') }}
    where not is_deleted
    group by order_id

),

shipments as (

    select
        order_id,
        count(*) as shipment_count,
        min(created_at) as first_shipped_at,
        max(created_at) as last_shipped_at
    from {{ ref('stg_magento__shipments') }}
    where not is_deleted
    group by order_id

),

refunds as (

    select
        order_id,
        count(*) as credit_memo_count,
        sum(grand_total) as refunded,
        sum(base_grand_total) as base_refunded
    from {{ ref('stg_magento__credit_memos') }}
    where not is_deleted
    group by order_id

),

lines as (

    select order_id, count(*) as line_count
    from {{ ref('fct_order_lines') }}
    group by order_id

)

select
    orders.order_id,
    orders.increment_id,
    orders.created_at,
    orders.updated_at,
    orders.status,
    orders.state,
    orders.store_id,
    orders.customer_id,
    orders.customer_email,
    orders.customer_group_id,
    (orders.customer_id is null or coalesce(orders.customer_is_guest, 0) = 1) as is_guest,
    orders.order_currency_code,
    orders.base_currency_code,
    coalesce(lines.line_count, 0) as line_count,
    orders.total_qty_ordered,
    orders.subtotal,
    orders.base_subtotal,
    orders.discount_amount,
    orders.base_discount_amount,
    orders.shipping_amount,
    orders.base_shipping_amount,
    orders.tax_amount,
    orders.base_tax_amount,
    orders.grand_total,
    orders.base_grand_total,
    coalesce(invoices.invoice_count, 0) as invoice_count,
    invoices.first_invoiced_at,
    invoices.last_invoiced_at,
    coalesce(invoices.invoiced, 0) as invoiced,
    coalesce(invoices.base_invoiced, 0) as base_invoiced,
    coalesce(shipments.shipment_count, 0) as shipment_count,
    shipments.first_shipped_at,
    shipments.last_shipped_at,
    coalesce(refunds.credit_memo_count, 0) as credit_memo_count,
    coalesce(refunds.refunded, 0) as refunded,
    coalesce(refunds.base_refunded, 0) as base_refunded,
    orders.base_grand_total - coalesce(refunds.base_refunded, 0) as base_net_total
from orders
left join invoices on invoices.order_id = orders.order_id
left join shipments on shipments.order_id = orders.order_id
left join refunds on refunds.order_id = orders.order_id
left join lines on lines.order_id = orders.order_id
