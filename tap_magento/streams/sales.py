"""Sales: orders and their lines, invoices, shipments, credit memos, payments, carts and returns."""

from __future__ import annotations

from tap_magento.streams.lists import ListStream
from tap_magento.streams.names import TABLE_KEY_NAMES


class OrdersStream(ListStream):
    name = "orders"
    path = "/V1/orders"
    primary_keys = ("entity_id",)
    replication_key = "updated_at"


class InvoicesStream(ListStream):
    name = "invoices"
    path = "/V1/invoices"
    primary_keys = ("entity_id",)
    replication_key = "updated_at"


class CreditMemosStream(ListStream):
    name = "credit_memos"
    path = "/V1/creditmemos"
    primary_keys = ("entity_id",)
    replication_key = "updated_at"


class ShipmentsStream(ListStream):
    name = "shipments"
    path = "/V1/shipments"
    primary_keys = ("entity_id",)
    replication_key = "updated_at"


class OrderItemsStream(ListStream):
    """Every order line in one list (``parent_item_id`` links a configurable's child line)."""

    name = "order_items"
    path = "/V1/orders/items"
    primary_keys = ("item_id",)
    replication_key = "updated_at"


class TransactionsStream(ListStream):
    """Payment transactions are written once: ``created_at`` is their only timestamp."""

    name = "transactions"
    path = "/V1/transactions"
    primary_keys = ("transaction_id",)
    replication_key = "created_at"


class CartsStream(ListStream):
    """Quotes, abandoned carts included."""

    name = "carts"
    path = "/V1/carts/search"
    primary_keys = ("id",)
    replication_key = "updated_at"
    search_names = TABLE_KEY_NAMES


class ReturnsStream(ListStream):
    """Adobe Commerce RMA: a return is stamped once, when it is requested."""

    name = "returns"
    path = "/V1/returns"
    primary_keys = ("entity_id",)
    replication_key = "date_requested"
    module = "Magento_Rma (returns; Adobe Commerce only)"
