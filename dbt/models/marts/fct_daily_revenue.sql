-- Revenue per day and store view, in the base currency: orders placed that day, less what
-- credit memos refunded that day (so a refund lowers the day it was made, not the day of its
-- order). Days are the warehouse session's (UTC unless it is set otherwise).
with placed as (

    select
        cast(created_at as date) as revenue_date,
        store_id,
        count(*) as order_count,
        sum(base_grand_total) as base_gross_revenue
    from {{ ref('fct_orders') }}
    group by cast(created_at as date), store_id

),

refunded as (

    select
        cast(created_at as date) as revenue_date,
        store_id,
        count(*) as credit_memo_count,
        sum(base_grand_total) as base_refunded
    from {{ ref('stg_magento__credit_memos') }}
    where not is_deleted
    group by cast(created_at as date), store_id

)

select
    coalesce(placed.revenue_date, refunded.revenue_date) as revenue_date,
    coalesce(placed.store_id, refunded.store_id) as store_id,
    coalesce(placed.order_count, 0) as order_count,
    coalesce(refunded.credit_memo_count, 0) as credit_memo_count,
    coalesce(placed.base_gross_revenue, 0) as base_gross_revenue,
    coalesce(refunded.base_refunded, 0) as base_refunded,
    coalesce(placed.base_gross_revenue, 0) - coalesce(refunded.base_refunded, 0)
        as base_net_revenue
from placed
full outer join refunded
    on refunded.revenue_date = placed.revenue_date
    and refunded.store_id = placed.store_id
