"""The sandbox's HTTP side: Magento REST routes, error bodies, switchable faults."""

from __future__ import annotations

import json
import random
import re
import select
import socket
import ssl
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from typing_extensions import override

from tap_magento.sandbox.auth import ADMIN_ACL, AuthError, ImsError, SandboxAuth
from tap_magento.sandbox.search import (
    Condition,
    InputError,
    Query,
    SearchBehaviour,
    Selection,
    SortedRows,
    echo_criteria,
    page_of,
    parse_fields,
    parse_int,
    parse_query,
    trim_fields,
)
from tap_magento.sandbox.store import Collection, SandboxStore, StoreView

MAX_CACHED_SORTS = 16
STOP_POLL_SECONDS = 0.02
# A request that hangs (``hang``) is given up on by the store after this long.
HANG_LIMIT = 120.0
IMS_TOKEN_PATH = "/ims/token/v3"
GOOGLE_AUTHENTICATE = "/V1/tfa/provider/google/authenticate"  # Magento_TwoFactorAuth
OUT_OF_MEMORY = "Allowed memory size of 805306368 bytes exhausted (tried to allocate 20480 bytes)"
MAINTENANCE_PAGE = "<html><body><h1>Service Temporarily Unavailable</h1></body></html>"
# What Fastly (Adobe Commerce Cloud) answers when the store has not begun its answer within the
# backend's first byte timeout; and nginx, when its proxy_read_timeout ran out.
FASTLY_TIMEOUT_PAGE = (
    "<!DOCTYPE html><html><head><title>503 first byte timeout</title></head><body>"
    "<h1>Error 503 first byte timeout</h1><p>first byte timeout</p><h3>Guru Mediation:</h3>"
    "<p>Details: cache-fra-etou8220151-FRA 1764321600 1234567890</p><hr>"
    "<p>Varnish cache server</p></body></html>"
)
NGINX_TIMEOUT_PAGE = (
    "<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway "
    "Time-out</h1></center><hr><center>nginx</center></body></html>"
)
# PHP's output with display_errors on, before whatever the store answers (docs/magento-rest.md).
PHP_DEPRECATION = (
    "<br />\n<b>Deprecated</b>:  Creation of dynamic property Vendor\\Module\\Model\\Foo::$bar "
    "is deprecated in <b>/var/www/html/app/code/Vendor/Module/Model/Foo.php</b> on line "
    "<b>41</b><br />\n"
)

# Search endpoints: route -> collection.
SEARCH_ROUTES = {
    "/V1/orders": "orders",
    "/V1/products": "products",
    "/V1/customers/search": "customers",
    "/V1/invoices": "invoices",
    "/V1/creditmemos": "credit_memos",
    "/V1/categories/list": "categories",
    "/V1/salesRules/search": "sales_rules",
    "/V1/coupons/search": "coupons",
    "/V1/inventory/source-items": "source_items",
    "/V1/shipments": "shipments",
    "/V1/orders/items": "order_items",
    "/V1/transactions": "transactions",
    "/V1/carts/search": "carts",
    "/V1/customerGroups/search": "customer_groups",
    "/V1/products/attributes": "product_attributes",
    "/V1/products/attribute-sets/sets/list": "attribute_sets",
    "/V1/inventory/sources": "inventory_sources",
    "/V1/inventory/stocks": "inventory_stocks",
    "/V1/inventory/stock-source-links": "stock_source_links",
    "/V1/taxRates/search": "tax_rates",
    "/V1/taxClasses/search": "tax_classes",
    "/V1/taxRules/search": "tax_rules",
    "/V1/cmsPage/search": "cms_pages",
    "/V1/cmsBlock/search": "cms_blocks",
    "/V1/returns": "returns",
    "/V1/company": "companies",
    "/V1/categories/attributes": "category_attributes",
    "/V1/company/role": "company_roles",
    "/V1/team": "company_teams",
    "/V1/companyCredits": "company_credits",
    "/V1/companyCredits/history": "company_credit_history",
    "/V1/sharedCatalog": "shared_catalogs",
    "/V1/gift-wrappings": "gift_wrappings",
}
# Magento_CompanyCredit's HistoryRepository::getList adds every filter with
# addFieldToFilter, so the filters of one group are AND-ed, not OR-ed (docs/magento-rest.md).
AND_IN_GROUPS = {"/V1/companyCredits/history"}
RENDER_INFO = "/V1/products-render-info"
SPECIAL_PRICES = "/V1/products/special-price-information"
SHARED_CATALOG_PART = re.compile(r"/V1/sharedCatalog/(\d+)/(products|companies)")
# Endpoints answering one plain JSON array (or, for the currency, one object).
ARRAY_ROUTES = {
    "/V1/store/websites": "websites",
    "/V1/store/storeViews": "store_views",
    "/V1/store/storeGroups": "store_groups",
    "/V1/directory/countries": "countries",
    "/V1/attributeMetadata/customer": "customer_attributes",
    "/V1/attributeMetadata/customerAddress": "customer_address_attributes",
}
SALABLE_QTY = re.compile(r"/V1/inventory/export-stock-salable-qty/([^/]+)/([^/]+)")
SALABLE_QTY_ROUTE = "/V1/inventory/export-stock-salable-qty"
# What a store without a module lacks: its routes answer "Request does not match any route".
MODULE_ROUTES = {
    "Magento_Rma": ("/V1/returns",),
    "Magento_Company": ("/V1/company", "/V1/company/role", "/V1/team"),
    "Magento_CompanyCredit": ("/V1/companyCredits", "/V1/companyCredits/history"),
    "Magento_SharedCatalog": (
        "/V1/sharedCatalog",
        "/V1/sharedCatalog/products",
        "/V1/sharedCatalog/companies",
    ),
    "Magento_GiftWrapping": ("/V1/gift-wrappings",),
    "MSI": (
        "/V1/inventory/source-items",
        "/V1/inventory/sources",
        "/V1/inventory/stocks",
        "/V1/inventory/stock-source-links",
        SALABLE_QTY_ROUTE,
    ),
}
# The ACL resource each route needs (assumed from Magento's webapi.xml files; the tap only
# repeats whatever resource the store names).
ACL_RESOURCES = {
    "/V1/orders": "Magento_Sales::actions_view",
    "/V1/invoices": "Magento_Sales::sales_invoice",
    "/V1/creditmemos": "Magento_Sales::sales_creditmemo",
    "/V1/products": "Magento_Catalog::products",
    "/V1/categories/list": "Magento_Catalog::categories",
    "/V1/customers/search": "Magento_Customer::customer",
    "/V1/salesRules/search": "Magento_SalesRule::quote",
    "/V1/coupons/search": "Magento_SalesRule::quote",
    "/V1/inventory/source-items": "Magento_InventoryApi::source",
    "/V1/stockItems/lowStock": "Magento_CatalogInventory::cataloginventory",
    "/V1/store/websites": "Magento_Backend::store",
    "/V1/store/storeViews": "Magento_Backend::store",
    "/V1/store/storeConfigs": "Magento_Backend::store",
    "/V1/store/storeGroups": "Magento_Backend::store",
    "/V1/shipments": "Magento_Sales::shipment",
    "/V1/orders/items": "Magento_Sales::actions_view",
    "/V1/transactions": "Magento_Sales::transactions",
    "/V1/carts/search": "Magento_Cart::manage",
    "/V1/customerGroups/search": "Magento_Customer::group",
    "/V1/products/attributes": "Magento_Catalog::attributes_attributes",
    "/V1/products/attribute-sets/sets/list": "Magento_Catalog::sets",
    "/V1/inventory/sources": "Magento_InventoryApi::source",
    "/V1/inventory/stocks": "Magento_InventoryApi::stock",
    "/V1/inventory/stock-source-links": "Magento_InventoryApi::stock",
    SALABLE_QTY_ROUTE: "Magento_InventoryApi::stock",
    "/V1/taxRates/search": "Magento_Tax::manage_tax",
    "/V1/taxClasses/search": "Magento_Tax::manage_tax",
    "/V1/taxRules/search": "Magento_Tax::manage_tax",
    "/V1/cmsPage/search": "Magento_Cms::page",
    "/V1/cmsBlock/search": "Magento_Cms::block",
    "/V1/returns": "Magento_Rma::magento_rma",
    "/V1/company": "Magento_Company::index",
    # As each module's webapi.xml declares them.
    "/V1/company/role": "Magento_Company::company",
    "/V1/team": "Magento_Company::company",
    "/V1/companyCredits": "Magento_Company::credit_history",
    "/V1/companyCredits/history": "Magento_Company::credit_history",
    "/V1/sharedCatalog": "Magento_SharedCatalog::sharedCatalog",
    "/V1/sharedCatalog/products": "Magento_SharedCatalog::sharedCatalog",
    "/V1/sharedCatalog/companies": "Magento_SharedCatalog::sharedCatalog",
    "/V1/gift-wrappings": "Magento_GiftWrapping::magento_giftwrapping",
    SPECIAL_PRICES: "Magento_Catalog::products",
    # Declared anonymous in Magento_Catalog's webapi.xml; the sandbox asks for credentials.
    RENDER_INFO: "Magento_Backend::admin",
    "/V1/categories/attributes": "Magento_Catalog::categories",
    "/V1/attributeMetadata/customer": "Magento_Customer::manage",
    "/V1/attributeMetadata/customerAddress": "Magento_Customer::manage",
    # Magento serves the directory anonymously; the sandbox asks for any valid credentials.
    "/V1/directory/countries": "Magento_Backend::admin",
    "/V1/directory/currency": "Magento_Backend::admin",
}
# Magento refuses these without any searchCriteria (docs/magento-rest.md).
CRITERIA_REQUIRED = {"/V1/products", "/V1/products/attributes", "/V1/categories/attributes"}


class HttpError(Exception):
    def __init__(self, status: int, message: str, parameters: Any = None, raw: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameters = parameters
        self.raw = raw  # a body that is not Magento's {"message": ...} (IMS errors)


MOVED_PAGE = (
    "<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved "
    "Permanently</h1></center><hr><center>nginx</center></body></html>"
)
# What Cloudflare Access answers a request without a valid service token.
ACCESS_GATE_PAGE = (
    "<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>"
    "<p>You don't have permission to view this application. Cloudflare Access</p></body></html>"
)


class GatewayGaveUp(Exception):
    """A gateway in front of the store answered instead of it (``Gateway``)."""

    def __init__(self, gateway: Gateway) -> None:
        super().__init__(gateway.status)
        self.gateway = gateway


@dataclass
class Gateway:
    """A CDN or proxy in front of the store that gives up on slow pages.

    A page of more than ``max_rows`` records takes the store longer than the gateway's timeout
    (the time a page takes grows with its records: docs/magento-rest.md, "Gateways that cut
    slow pages"), so the gateway answers ``status`` with its own HTML page instead, after
    ``delay`` real seconds. ``cuts`` counts them. With ``hang``, it answers nothing until the
    client hangs up (what a client's own timeout meets), at most ``HANG_LIMIT`` seconds.
    """

    max_rows: int
    status: int = 503
    page: str = FASTLY_TIMEOUT_PAGE
    delay: float = 0.0
    hang: bool = False
    cuts: int = 0


@dataclass
class Fault:
    """Answer matching requests with something other than the truth.

    ``path`` is a regular expression searched in the request path (and query). ``skip`` lets
    that many matching requests through first; ``times`` is how often the fault fires (None:
    forever); ``chance`` fires it for that share of matching requests, at random.
    ``drop`` closes the connection without answering; ``delay`` sleeps first; ``hang``
    answers nothing until the client hangs up (its own timeout), at most ``HANG_LIMIT`` s.
    """

    path: str = ""
    status: int = 500
    body: str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    skip: int = 0
    times: int | None = 1
    drop: bool = False
    delay: float = 0.0
    hang: bool = False
    chance: float = 1.0
    fired: int = 0

    def body_bytes(self) -> bytes:
        if self.body is not None:
            return self.body.encode()
        message = "Internal Error. Details are available in Magento log file. Report ID: webapi-1"
        return json.dumps({"message": message}).encode()


class AnswerGate:
    """A hook (``SandboxServer.hooks``): from the ``after``-th request to ``path`` on, the
    store answers nothing until ``release``: a store that hangs, with requests in flight."""

    def __init__(self, path: str, after: int) -> None:
        self.path = path
        self.after = after
        self.arrived = 0
        self._lock = threading.Lock()
        self._released = threading.Event()

    def __call__(self, path: str, params: dict[str, str]) -> None:
        if path != self.path:
            return
        with self._lock:
            self.arrived += 1
            held = self.arrived >= self.after
        if held:
            self._released.wait(300)

    def release(self) -> None:
        self._released.set()


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    params: dict[str, str]
    status: int
    seconds: float = 0.0  # from reading the request to the answer ready to send
    started: float = 0.0  # time.monotonic() when the request arrived
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 0  # bytes of the answer's body


class FaultPlan:
    def __init__(self, seed: int = 7) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault | None = None, **kwargs: Any) -> Fault:
        fault = fault or Fault(**kwargs)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def match(self, target: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not re.search(fault.path, target):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if fault.times is not None and fault.fired >= fault.times:
                    continue
                if fault.chance < 1.0 and self._random.random() >= fault.chance:
                    continue
                fault.fired += 1
                return fault
        return None


class SandboxServer:
    """A running sandbox store: ``with SandboxServer() as server: server.url``."""

    def __init__(
        self,
        store: SandboxStore | None = None,
        auth: SandboxAuth | None = None,
        behaviour: SearchBehaviour | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: tuple[str, str] | None = None,
        missing_modules: frozenset[str] = frozenset(),
        tenant_id: str | None = None,
    ) -> None:
        """``tls``: a certificate and key file to serve HTTPS with. ``missing_modules``: names
        from ``MODULE_ROUTES`` the store does not have (Magento Open Source: Magento_Rma and
        Magento_Company; MSI disabled: MSI). ``tenant_id``: answer as Adobe Commerce as a Cloud
        Service does, at ``/<tenant_id>/V1/...`` (no ``/rest``), with IMS tokens from
        ``/ims/token/v3``."""
        self.tenant_id = tenant_id
        self.store = store or SandboxStore()
        self.missing_routes = {r for m in missing_modules for r in MODULE_ROUTES[m]}
        self.auth = auth or SandboxAuth()
        self.behaviour = behaviour or SearchBehaviour()
        self.faults = FaultPlan()
        self.requests: list[RequestRecord] = []
        # Requests the sandbox failed on by a bug of its own (answered 500, as Magento does
        # with an exception it did not expect); tests check it stays empty.
        self.internal_errors: list[str] = []
        # Called with each request's path and parameters before it is answered: tests change
        # the store between a sync's requests with these.
        self.hooks: list[Callable[[str, dict[str, str]], None]] = []
        # The most SKUs a special-price request may name (None: no limit, as a stock store).
        self.max_skus: int | None = None
        # A CDN or proxy that cuts slow pages (None: the store answers directly).
        self.gateway: Gateway | None = None
        # What PHP prints before every answer when display_errors is on ("": nothing).
        self.php_output = ""
        # Headers an access gate in front of the store wants on every request (Cloudflare
        # Access service tokens, say); without them it answers 403 with its own page.
        self.access_gate: dict[str, str] = {}
        # Where a web server in front sends every request instead ("https://www.shop..."),
        # with a 301 and the request's path, as nginx's `return 301 <to>$request_uri` does.
        self.redirect_to = ""
        # A database keeps its indexes sorted: keep each sort order's sorted rows until the
        # collection changes, instead of sorting the table again for every request.
        self._sorted: OrderedDict[tuple[Any, ...], SortedRows] = OrderedDict()
        self._httpd = _QuietServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def start(self) -> SandboxServer:
        # Stopping waits for the serving loop to look up (Python's default: every 0.5 s): a
        # test suite starts and stops a thousand stores.
        serve = partial(self._httpd.serve_forever, poll_interval=STOP_POLL_SECONDS)
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    # --- answering ----------------------------------------------------------------------------

    def answer(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Any:
        """Return the JSON answer to one request, or raise HttpError."""
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        for hook in self.hooks:
            hook(parts.path, params)
        if method == "POST" and parts.path == IMS_TOKEN_PATH:
            return self._ims_token(body)
        root = re.escape(f"/{self.tenant_id}") if self.tenant_id else "/rest"
        match = re.fullmatch(root + r"(?:/([A-Za-z0-9_]+))?(/V1/.*?)/?", parts.path)
        if not match:
            raise HttpError(404, "Request does not match any route.")
        store_code, route = match.group(1) or "default", match.group(2)
        if method == "POST" and route == "/V1/integration/admin/token":
            return self._admin_token(body)
        if (
            method == "POST"
            and route == GOOGLE_AUTHENTICATE
            and self.auth.policy.two_factor_providers
        ):
            return self._admin_token(body, two_factor=True)
        if SALABLE_QTY.fullmatch(route):
            route, params = SALABLE_QTY_ROUTE, {**params, "_channel": route.rsplit("/", 1)[1]}
        if part := SHARED_CATALOG_PART.fullmatch(route):
            route = f"/V1/sharedCatalog/{part.group(2)}"
            params = {**params, "_shared_catalog_id": part.group(1)}
        # The one POST list: answered by its handler like any GET route, its body a parameter.
        posted = method == "POST" and route == SPECIAL_PRICES
        if posted:
            params = {**params, "_body": body.decode(errors="replace")}
        handler = self._routes().get(route)
        if (method != "GET" and not posted) or handler is None or route in self.missing_routes:
            raise HttpError(404, "Request does not match any route.")
        try:
            self.auth.authenticate(method, url, headers, ACL_RESOURCES.get(route, ADMIN_ACL))
        except AuthError as exc:
            raise HttpError(401, exc.message, exc.parameters) from exc
        view = self._view(store_code)
        try:
            result = handler(route, params, view)
            if "fields" in params:
                result = trim_fields(result, parse_fields(params["fields"]))
        except InputError as exc:
            raise HttpError(400, exc.message, exc.parameters) from exc
        return result

    def _routes(self) -> dict[str, Callable[[str, dict[str, str], StoreView], Any]]:
        routes: dict[str, Callable[[str, dict[str, str], StoreView], Any]] = dict.fromkeys(
            SEARCH_ROUTES, self._search
        )
        for route, stream in ARRAY_ROUTES.items():
            routes[route] = lambda *_, stream=stream: self.store.records(stream)
        routes["/V1/directory/currency"] = lambda *_: self.store.records("currencies")[0]
        routes["/V1/store/storeConfigs"] = self._store_configs
        routes[SALABLE_QTY_ROUTE] = self._salable_quantities
        routes["/V1/stockItems/lowStock"] = self._low_stock
        routes[RENDER_INFO] = self._render_info
        routes[SPECIAL_PRICES] = self._special_prices
        routes["/V1/sharedCatalog/products"] = self._shared_catalog_part
        routes["/V1/sharedCatalog/companies"] = self._shared_catalog_part
        return routes

    def _view(self, code: str) -> StoreView:
        if code == "all":
            return self.store.views["default"]
        view = self.store.views.get(code)
        if view is None:
            # Assumed 404 (NoSuchEntityException); no source says (docs/magento-rest.md).
            raise HttpError(
                404, "The store that was requested wasn't found. Verify the store and try again."
            )
        return view

    @property
    def ims_token_url(self) -> str:
        return self.url + IMS_TOKEN_PATH

    def _ims_token(self, body: bytes) -> dict[str, Any]:
        form = dict(parse_qsl(body.decode(errors="replace")))
        try:
            return self.auth.ims_token(form)
        except ImsError as exc:
            raise HttpError(exc.status, exc.body["error_description"], raw=exc.body) from exc

    def _admin_token(self, body: bytes, *, two_factor: bool = False) -> str:
        try:
            payload = json.loads(body or b"{}")
        except json.JSONDecodeError as exc:
            raise HttpError(400, "Decoding error: \nSyntax error") from exc
        username, password = payload.get("username"), payload.get("password")
        try:
            if two_factor:
                return self.auth.google_authenticate(username, password, payload.get("otp"))
            return self.auth.login(username, password)
        except AuthError as exc:
            raise HttpError(exc.status, exc.message, exc.parameters) from exc

    def _search(self, route: str, params: dict[str, str], view: StoreView) -> dict[str, Any]:
        if route in CRITERIA_REQUIRED and not any(
            k.startswith(("searchCriteria", "search_criteria")) for k in params
        ):
            raise InputError(
                '"%fieldName" is required. Enter and try again.', {"fieldName": "searchCriteria"}
            )
        query = parse_query(params)
        if route in AND_IN_GROUPS:
            query = replace(query, groups=tuple((one,) for group in query.groups for one in group))
        return self._page(
            SEARCH_ROUTES[route], query, view, echo_criteria(query), named_only="fields" in params
        )

    def _render_info(self, route: str, params: dict[str, str], view: StoreView) -> dict[str, Any]:
        """What the storefront of ``storeId`` shows, priced in ``currencyCode``: enabled,
        visible products only, and ``items`` alone (ProductRenderSearchResultsInterface
        declares nothing else)."""
        for required in ("storeId", "currencyCode"):
            if required not in params:
                raise InputError(
                    '"%fieldName" is required. Enter and try again.', {"fieldName": required}
                )
        shown = self.store.views_by_id().get(parse_int(params["storeId"]) or 0, view)
        query = parse_query(params)
        storefront = (Condition("status", "1", "eq"),), (Condition("visibility", "2", "gteq"),)
        query = replace(query, groups=(*query.groups, *storefront))
        page = self._page("products", query, shown, {}, named_only=False)
        currency = params["currencyCode"]
        return {"items": [self.store.render_info(item, shown, currency) for item in page["items"]]}

    def _special_prices(self, route: str, params: dict[str, str], view: StoreView) -> list[Any]:
        """``{"skus": [...]}``: their special prices. An unknown SKU fails the whole request,
        and a batch beyond ``max_skus`` is refused as Magento's input limits refuse it."""
        try:
            skus = json.loads(params["_body"] or "{}").get("skus")
        except (json.JSONDecodeError, AttributeError) as exc:
            raise InputError("Decoding error: \nSyntax error") from exc
        if not isinstance(skus, list):
            raise InputError(
                '"%fieldName" is required. Enter and try again.', {"fieldName": "skus"}
            )
        if self.max_skus is not None and len(skus) > self.max_skus:
            raise InputError(
                'Maximum items of type "%type" is %max', {"type": "string", "max": self.max_skus}
            )
        known = {row["sku"] for row in self.store.collection("products").rows.values()}
        missing = [sku for sku in skus if sku not in known]
        if missing:
            raise HttpError(
                404, "Requested product doesn't exist: %sku", {"sku": ", ".join(missing)}
            )
        wanted = set(skus)
        rows = self.store.collection("product_special_prices").rows.values()
        return [dict(row) for row in rows if row["sku"] in wanted]

    def _shared_catalog_part(self, route: str, params: dict[str, str], view: StoreView) -> Any:
        """A shared catalog's SKUs (a JSON array), or its companies' ids (a JSON string of
        an array, as CompanyManagementInterface::getCompanies answers)."""
        catalog_id = int(params["_shared_catalog_id"])
        if catalog_id not in self.store.collection("shared_catalogs").rows:
            raise HttpError(
                404, 'The shared catalog with ID "%id" wasn\'t found.', {"id": catalog_id}
            )
        if route.endswith("/products"):
            rows = self.store.collection("shared_catalog_products").rows.values()
            return [row["sku"] for row in rows if row["shared_catalog_id"] == catalog_id]
        rows = self.store.collection("shared_catalog_companies").rows.values()
        return json.dumps(
            [str(r["company_id"]) for r in rows if r["shared_catalog_id"] == catalog_id]
        )

    def _page(
        self,
        stream: str,
        query: Query,
        view: StoreView,
        echo: dict[str, Any],
        named_only: bool = False,
    ) -> dict[str, Any]:
        """One page of a list; ``named_only``: the client asked for a few ``fields`` only."""
        depth = self.behaviour.max_page_depth
        if depth is not None and (query.current_page or 1) > depth:
            raise HttpError(503, OUT_OF_MEMORY)
        collection = self.store.collection(stream)
        # Sorted DESC on every field: the same index, read backwards.
        descending = bool(query.sort_orders) and all(d == "DESC" for _, d in query.sort_orders)
        if descending:
            query = replace(query, sort_orders=tuple((f, "ASC") for f, _ in query.sort_orders))
        with self.store.lock:
            ordered = self._sorted_rows(stream, collection, query, view)
            selected = Selection(ordered, query.groups, descending)
            page, total = page_of(selected, query, self.behaviour)
            gateway = self.gateway
            if gateway is not None and len(page) > gateway.max_rows:
                gateway.cuts += 1
                raise GatewayGaveUp(gateway)
            for row in page:
                broken = collection.unreadable.get(collection.key(row))
                if broken is not None and not (named_only and broken.nameable):
                    raise HttpError(broken.status, broken.message)
            items = [collection.render(row, view) for row in page]
        if self.behaviour.offset_row_seconds and query.page_size:
            skipped = (max(query.current_page or 1, 1) - 1) * query.page_size
            time.sleep(skipped * self.behaviour.offset_row_seconds)
        slow = self.behaviour.latency_seconds + len(items) * self.behaviour.latency_row_seconds
        if slow:
            time.sleep(slow)  # outside the store's lock: requests are answered in parallel
        return {"items": items, "search_criteria": echo, "total_count": total}

    def _sorted_rows(
        self, stream: str, collection: Collection, query: Query, view: StoreView
    ) -> SortedRows:
        key = (stream, view.code, query.sort_orders, collection.version)
        if key not in self._sorted:
            self._sorted[key] = SortedRows(
                collection.rows.values(),
                query.sort_orders,
                lambda row, name: collection.field_value(row, name, view),
            )
            while len(self._sorted) > MAX_CACHED_SORTS:
                self._sorted.popitem(last=False)
        self._sorted.move_to_end(key)
        return self._sorted[key]

    def _salable_quantities(
        self, route: str, params: dict[str, str], view: StoreView
    ) -> dict[str, Any]:
        """One website channel's salable quantities: a searchCriteria list of SKUs."""
        channel = params.pop("_channel")
        query = parse_query(params)
        query = replace(
            query, groups=(*query.groups, (Condition("sales_channel_code", channel, "eq"),))
        )
        page = self._page(
            "salable_quantities", query, view, echo_criteria(query), named_only="fields" in params
        )
        for item in page["items"]:  # the channel is in the path, not in the items
            item.pop("sales_channel_type", None)
            item.pop("sales_channel_code", None)
        return page

    def _store_configs(self, route: str, params: dict[str, str], view: StoreView) -> list[Any]:
        codes = [v for k, v in params.items() if k.startswith("storeCodes")]
        configs = self.store.records("store_configs")
        return [c for c in configs if not codes or c["code"] in codes]

    def _low_stock(self, route: str, params: dict[str, str], view: StoreView) -> dict[str, Any]:
        for required in ("scopeId", "qty"):
            if required not in params:
                raise InputError(
                    '"%fieldName" is required. Enter and try again.', {"fieldName": required}
                )
        try:
            threshold = float(params["qty"])
        except ValueError as exc:
            raise InputError(
                'The "%value" value\'s type is invalid. The "%type" type was expected. Verify '
                "and try again.",
                {"value": params["qty"], "type": "float"},
            ) from exc
        query = Query(
            groups=((Condition("qty", params["qty"], "lteq"),),),
            sort_orders=(),
            page_size=parse_int(params.get("pageSize")),
            current_page=parse_int(params.get("currentPage")),
        )
        echo = {"qty": threshold, "page_size": query.page_size, "current_page": query.current_page}
        return self._page("stock_items", query, view, echo, named_only="fields" in params)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up before its answer (a stopped run) is not the sandbox's error."""

    @override
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _error_body(message: str, parameters: Any) -> bytes:
    body: dict[str, Any] = {"message": message}
    if parameters is not None:
        body["parameters"] = parameters
    return json.dumps(body).encode()


def _handler_for(server: SandboxServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real store behind nginx
        # Headers and body go out as separate writes: without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK hold every response back about 40 ms.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        @override
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read ``server.requests`` instead of stderr."""

        def _handle(self) -> None:
            self._started = time.perf_counter()
            self._arrived = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if server.redirect_to:
                location = {"Location": server.redirect_to.rstrip("/") + self.path}
                self._send(301, MOVED_PAGE.encode(), "text/html", location)
                return
            if server.access_gate and not self.path.startswith(IMS_TOKEN_PATH):
                sent = {name: self.headers.get(name) for name in server.access_gate}
                if sent != server.access_gate:
                    headers = {"cf-ray": "8c1d2e3f4a5b6c7d-AMS", "Server": "cloudflare"}
                    self._send(403, ACCESS_GATE_PAGE.encode(), "text/html", headers)
                    return
            fault = server.faults.match(self.path)
            if fault is not None:
                if fault.hang:
                    self._wait_for_hang_up()
                    self._record(0)
                    return
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.drop:
                    self.close_connection = True
                    self._record(0)
                    return
                self._send(fault.status, fault.body_bytes(), fault.content_type, fault.headers)
                return
            url = f"{server.scheme}://{self.headers.get('Host', 'localhost')}{self.path}"
            try:
                result = server.answer(self.command, url, dict(self.headers.items()), body)
                status, payload = 200, json.dumps(result).encode()
            except GatewayGaveUp as cut:
                if cut.gateway.hang:
                    self._wait_for_hang_up()
                    self._record(0)
                    return
                time.sleep(cut.gateway.delay)
                self._send(cut.gateway.status, cut.gateway.page.encode(), "text/html", {})
                return
            except HttpError as exc:
                status = exc.status
                payload = (
                    json.dumps(exc.raw).encode()
                    if exc.raw is not None
                    else _error_body(exc.message, exc.parameters)
                )
            except Exception as exc:  # a bug of the sandbox: answered as Magento answers one
                server.internal_errors.append(f"{self.command} {self.path}: {exc!r}")
                status, payload = 500, Fault().body_bytes()
            payload = server.php_output.encode() + payload
            self._send(status, payload, "application/json; charset=utf-8", {})

        def _send(
            self, status: int, payload: bytes, content_type: str, headers: dict[str, str]
        ) -> None:
            # Recorded first: once the client has the answer, a test may look for this request.
            self._record(status, len(payload))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _wait_for_hang_up(self) -> None:
            """Answer nothing until the client closes the connection (or ``HANG_LIMIT``)."""
            self.close_connection = True
            connection = self.connection
            deadline = time.monotonic() + HANG_LIMIT
            while time.monotonic() < deadline:
                readable, _, _ = select.select([connection], [], [], 0.05)
                if readable and not connection.recv(1, socket.MSG_PEEK):
                    return

        def _record(self, status: int, size: int = 0) -> None:
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            seconds = time.perf_counter() - self._started
            server.requests.append(
                RequestRecord(
                    self.command,
                    parts.path,
                    params,
                    status,
                    seconds,
                    self._arrived,
                    dict(self.headers.items()),
                    size,
                )
            )

    return Handler
