-- Fails with each order whose sold lines do not add up to its subtotal, in the order's currency
-- or the base one: a line counted twice (a configurable's parent and child) or left out shows.
with lines as (

    select
        order_id,
        sum(row_total) as row_total,
        sum(base_row_total) as base_row_total
    from {{ ref('fct_order_lines') }}
    group by order_id

)

select
    orders.order_id,
    orders.subtotal,
    lines.row_total,
    orders.base_subtotal,
    lines.base_row_total
from {{ ref('fct_orders') }} as orders
inner join lines on lines.order_id = orders.order_id
where abs(orders.subtotal - lines.row_total) > 0.005
   or abs(orders.base_subtotal - lines.base_row_total) > 0.005
