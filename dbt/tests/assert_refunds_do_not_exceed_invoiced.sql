-- Fails with each order whose credit memos refunded more than its invoices charged (base
-- currency): a refund without an invoice, or one larger than what was invoiced.
select
    order_id,
    base_invoiced,
    base_refunded
from {{ ref('fct_orders') }}
where base_refunded > base_invoiced + 0.005
