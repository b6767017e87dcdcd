"""The tap's settings: their JSON schema, and the checks a schema cannot say.

The schema carries every constraint it can (ranges, patterns), so ``--about``, ``meta.json`` and
Meltano show them; ``check_settings`` runs once at start-up for the rest (dates that exist, one
way to authenticate, ``start_date`` before ``end_date``). Config files and ``TAP_MAGENTO_*``
variables are read here too, so that a bad one is one line, not a traceback. Every error is a
``ConfigValidationError`` with one message.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, ValidationError
from singer_sdk import typing as th

from tap_magento.front_door.connection import rest_url
from tap_magento.front_door.totp import secret_key
from tap_magento.input_errors import config_error
from tap_magento.search_criteria import CONDITION_TYPES
from tap_magento.timestamps import parse_setting

# Magento refuses bigger pages when input limits are on (maximum 300 by default); without
# them, a page of thousands of full orders takes minutes for the store to render.
MAX_PAGE_SIZE = 10_000
# Magento's own rule for a store code: a letter, then letters, digits or underscores; or "*",
# every active store view.
STORE_CODE = r"^(\*|[A-Za-z][A-Za-z0-9_]*)$"
ONE_LINE = r"^[^\r\n]+$"  # a header value: no line breaks
# A date (midnight UTC), or a date and time with an optional offset (UTC without one).
DATE_OR_DATE_TIME = (
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}:?\d{2})?)?$"
)
# A searchCriteria field: a column name, or a joined table's (``main_table.status``).
FIELD_NAME = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$"
# Deleted records are looked for in the catalog and the customers by default.
DELETION_STREAMS = ("products", "categories", "customers")
MAX_IDS = 10_000  # a repair, not a sync: bigger sets are a start_date/end_date range
IMS_TOKEN_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
IMS_SCOPES = (
    "AdobeID",
    "openid",
    "adobeio_api",
    "additional_info.projectedProductContext",
    "commerce.accs",
)
DATE_FORMS = "a date (2024-01-01) or an RFC 3339 date-time (2024-01-01T00:00:00Z)"

CONFIG_SCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property(
        "store_url",
        th.StringType,
        required=True,
        title="Store URL",
        description="The store's base URL, e.g. https://shop.example.com (with or without "
        "/rest and a trailing slash). The special value 'sandbox' starts the bundled "
        "sandbox store for this run.",
    ),
    th.Property(
        "access_token",
        th.StringType(min_length=1),
        secret=True,
        title="Access token",
        description="Integration access token. Alone: sent as a Bearer token. With "
        "consumer_key: the OAuth 1.0a access token.",
    ),
    th.Property(
        "access_token_secret",
        th.StringType(min_length=1),
        secret=True,
        title="Access token secret",
        description="Integration access token secret (OAuth 1.0a).",
    ),
    th.Property(
        "consumer_key",
        th.StringType(min_length=1),
        secret=True,
        title="Consumer key",
        description="Integration consumer key. When set, every request is signed with "
        "OAuth 1.0a (HMAC-SHA256), the method Magento 2.4.4+ accepts by default.",
    ),
    th.Property(
        "consumer_secret",
        th.StringType(min_length=1),
        secret=True,
        title="Consumer secret",
        description="Integration consumer secret (OAuth 1.0a).",
    ),
    th.Property(
        "username",
        th.StringType(min_length=1),
        title="Admin username",
        description="Admin user name: the tap gets an admin token and renews it when it "
        "expires. On a store that enforces two-factor authentication, with totp_secret.",
    ),
    th.Property(
        "password",
        th.StringType(min_length=1),
        secret=True,
        title="Admin password",
        description="Admin user password (with username).",
    ),
    th.Property(
        "totp_secret",
        th.StringType(min_length=1),
        secret=True,
        title="Admin's authenticator secret",
        description="With username and password, on a store that enforces two-factor "
        "authentication: the base32 secret of the admin user's Google Authenticator (the key "
        "shown beside its QR code). The tap computes each one-time code (RFC 6238) and gets "
        "the admin token from POST /V1/tfa/provider/google/authenticate.",
    ),
    th.Property(
        "ims_client_id",
        th.StringType(min_length=1),
        title="Adobe IMS client ID",
        description="Adobe Commerce as a Cloud Service: the client ID of the project's OAuth "
        "server-to-server credential (Adobe Developer Console). With ims_client_secret and "
        "ims_org_id, store_url is the tenant's REST URL, "
        "https://<region>.api.commerce.adobe.com/<tenant-id>.",
    ),
    th.Property(
        "ims_client_secret",
        th.StringType(min_length=1),
        secret=True,
        title="Adobe IMS client secret",
        description="The OAuth server-to-server credential's client secret.",
    ),
    th.Property(
        "ims_org_id",
        th.StringType(min_length=1),
        title="Adobe IMS organization ID",
        description="The Adobe organization ID (...@AdobeOrg), sent as x-gw-ims-org-id.",
    ),
    th.Property(
        "ims_scopes",
        th.CustomType(
            {"type": ["array", "null"], "items": {"type": "string", "minLength": 1}, "minItems": 1}
        ),
        default=list(IMS_SCOPES),
        title="Adobe IMS scopes",
        description="Scopes asked for with the IMS token; commerce.accs is the one Commerce needs.",
    ),
    th.Property(
        "ims_token_url",
        th.StringType(pattern=r"^https?://[^\s/]+"),
        default=IMS_TOKEN_URL,
        title="Adobe IMS token URL",
        description="Where client_credentials tokens are asked for (Adobe IMS's token endpoint).",
    ),
    th.Property(
        "start_date",
        th.DateTimeType(pattern=DATE_OR_DATE_TIME),
        title="Start date",
        description="Read incremental streams from this moment when there is no bookmark "
        "yet: a date (2024-01-01, midnight UTC) or an RFC 3339 date-time (UTC if no offset). "
        "Default: everything.",
    ),
    th.Property(
        "end_date",
        th.DateTimeType(pattern=DATE_OR_DATE_TIME),
        title="End date",
        description="Optional upper bound, exclusive, on the timestamp incremental streams "
        "follow, in the forms start_date takes; after start_date. Ranges laid end to end "
        "(one job's end_date the next one's start_date) read every record once.",
    ),
    th.Property(
        "stream_start_dates",
        th.CustomType(
            {
                "type": ["object", "null"],
                "additionalProperties": {"type": "string", "pattern": DATE_OR_DATE_TIME},
            }
        ),
        title="Start dates per stream",
        description="start_date for chosen incremental streams, in the forms start_date "
        'takes, e.g. {"orders": "2024-01-01", "products": "2015-01-01"}: where that stream '
        "starts when it has no bookmark yet, instead of start_date (earlier or later). Applies "
        "to each store view of a store-scoped stream; child streams follow their parent's. "
        "Before end_date.",
    ),
    th.Property(
        "page_size",
        th.IntegerType(minimum=1, maximum=MAX_PAGE_SIZE),
        default=300,
        title="Page size",
        description="Records per request, 1 to 10000. The slices of a parallel pass aim at "
        "this many records a page and ask for up to 30% more, so that a slice's records fit its "
        "pages. When the store refuses a size ('Maximum SearchCriteria pageSize is N') the tap "
        "continues with N.",
    ),
    th.Property(
        "min_page_size",
        th.IntegerType(minimum=1, maximum=MAX_PAGE_SIZE),
        default=10,
        title="Minimum page size",
        description="When the store's gateway (Fastly, nginx, a load balancer) or "
        "request_timeout cuts a slow page short (502, 504, a 503 'first byte timeout'), the "
        "page is asked for again at half its size, down to this many records; pages grow "
        "back after a run of quick ones. At this size a cut page is retried, then narrowed "
        "down like an unreadable one. 1 to 10000, at most page_size.",
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0, maximum=3600),
        default=300,
        title="Request timeout",
        description="Seconds to wait for one response (above 0, at most 3600). A page that "
        "takes longer is asked for again smaller, as one a gateway cut (min_page_size).",
    ),
    th.Property(
        "max_wait_seconds",
        th.NumberType(minimum=0, maximum=86400),
        default=300,
        title="Maximum wait seconds",
        description="How long one request may spend waiting out 429 (rate limited) and "
        "503 (maintenance) answers before the run stops, 0 to 86400. 429's Retry-After is "
        "obeyed within it; other waits are at most 60 s each. Dropped connections get 8 "
        "tries, 500 gets 3, invalid JSON 5; pages a gateway cuts are asked for smaller.",
    ),
    th.Property(
        "min_request_interval",
        th.NumberType(minimum=0, maximum=3600),
        default=0,
        title="Minimum request interval",
        description="Seconds between the starts of consecutive requests, to be gentle "
        "with a small store, 0 to 3600. 0: as fast as the store answers.",
    ),
    th.Property(
        "max_parallel_requests",
        th.IntegerType(minimum=1, maximum=16),
        default=4,
        title="Maximum parallel requests",
        description="Incremental streams read a pass in slices of its timestamp range, and "
        "full-table lists keyed by an integer in slices of their key range, this many at a "
        "time, and emit them in order; 1 reads page after page. 1 to 16. "
        "min_request_interval and a 429's Retry-After hold across all of them.",
    ),
    th.Property(
        "skip_unreadable_records",
        th.BooleanType,
        default=True,
        title="Skip unreadable records",
        description="When the store cannot render one record (it fails its whole page "
        "with a 500, e.g. an order whose product was deleted), narrow the page down, skip "
        "just that record and log its id. false: stop the run on such a record instead.",
    ),
    th.Property(
        "user_agent",
        th.StringType(min_length=1, pattern=ONE_LINE),
        default="tap-magento",
        title="User agent",
        description="User-Agent header sent with every request (one line).",
    ),
    th.Property(
        "request_headers",
        th.CustomType({"type": ["object", "null"], "additionalProperties": {"type": "string"}}),
        secret=True,
        title="Request headers",
        description="HTTP headers sent with every request to the store, the admin token "
        "request included, for a store behind an access gate: e.g. "
        '{"CF-Access-Client-Id": "...", "CF-Access-Client-Secret": "..."} for Cloudflare '
        "Access, an allow-list header, or a Cookie. Not Authorization, Host, Content-Length "
        "or User-Agent (user_agent). Values are kept out of every log line and error.",
    ),
    th.Property(
        "store_codes",
        th.CustomType(
            {
                "type": ["array", "null"],
                "items": {"type": "string", "pattern": STORE_CODE},
                "minItems": 1,
                "uniqueItems": True,
            }
        ),
        default=["default"],
        title="Store view codes",
        description="Store views to read store-scoped streams (products, store_configs) "
        "for; products come once per store view with that view's attribute values. Codes "
        "as under Stores > All Stores (a letter, then letters, digits or underscores), or "
        '["*"]: every active store view, listed at the start of each run.',
    ),
    th.Property(
        "stock_items_max_qty",
        th.NumberType(minimum=0),
        default=1_000_000_000,
        title="Stock items quantity threshold",
        description="stock_items reads the low-stock report for items with qty up to "
        "this (0 or more); the default is above any real stock so every item is listed.",
    ),
    th.Property(
        "lookback_seconds",
        th.IntegerType(minimum=0, maximum=30 * 86400),
        default=120,
        title="Lookback seconds",
        description="Start each incremental run this many seconds before the bookmark. "
        "Magento stamps updated_at when a transaction starts, and it may commit after the "
        "tap has read past that second; the few records read twice are harmless. 0 to "
        "2592000 (30 days).",
    ),
    th.Property(
        "keyset_paging",
        th.BooleanType,
        default=True,
        title="Keyset paging",
        description="Read every list as page 1 of the records after the last one read "
        "(sorted by updated_at, then the key). Requests cost the same deep in the list as "
        "at its start, and records changed during the sync are neither skipped nor "
        "repeated. Set false only for a store whose filters misbehave: pages then go up "
        "to max_pages_per_window deep.",
    ),
    th.Property(
        "max_pages_per_window",
        th.IntegerType(minimum=1, maximum=100_000),
        default=200,
        title="Maximum pages per window",
        description="Without keyset_paging: pages read by page number before the window "
        "moves past the last record read and starts again at page 1. Deep pages are SQL "
        "OFFSET: slow, and on big stores they fail. 1 to 100000.",
    ),
    th.Property(
        "emit_activate_version_messages",
        th.BooleanType,
        default=True,
        title="Emit ACTIVATE_VERSION messages",
        description="Full-table streams (those without a timestamp to follow: sales_rules, "
        "coupons, websites, taxes, MSI sources and stock, ...) start with ACTIVATE_VERSION, "
        "so a target can delete or mark rows that disappeared from the store.",
    ),
    th.Property(
        "custom_attributes_as_object",
        th.BooleanType,
        default=False,
        title="Custom attributes as an object",
        description="Also send custom_attributes (products, categories, customers, customer "
        "addresses) as custom_attributes_object: one property per attribute code, typed from "
        "the store's attribute metadata at --discover (integer, number, date-time, boolean, "
        "array for multiselect, string). Recommended for new pipelines; false by default for "
        "compatibility.",
    ),
    th.Property(
        "detect_deletions",
        th.CustomType(
            {"type": ["array", "null"], "items": {"type": "string"}, "uniqueItems": True}
        ),
        default=list(DELETION_STREAMS),
        title="Detect deletions",
        description="Incremental streams whose deleted records are looked for: each run also "
        "reads the stream's keys (fields=items[<key>], 2000 a page) and sends a record with "
        "_sdc_deleted_at for each key gone since the last run. The first run only records "
        "the keys. [] turns it off.",
    ),
    th.Property(
        "deletions_as",
        th.StringType(allowed_values=["records", "activate_version"]),
        default="records",
        title="Deletions delivered as",
        description="records: each deleted key as a record of its stream with "
        "_sdc_deleted_at (targets mark the row). activate_version: when deletions are found, "
        "the stream is read again whole, tagged with a new table version, then "
        "ACTIVATE_VERSION, so a target removes (hard_delete) or marks the rows not sent "
        "again; costs a full read of the stream on runs that find deletions.",
    ),
    th.Property(
        "stream_filters",
        th.CustomType(
            {
                "type": ["object", "null"],
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["field", "value"],
                        "additionalProperties": False,
                        "properties": {
                            "field": {"type": "string", "pattern": FIELD_NAME},
                            "condition_type": {"type": "string", "enum": sorted(CONDITION_TYPES)},
                            "value": {
                                "type": ["string", "number", "boolean", "array"],
                                "items": {"type": ["string", "number"]},
                                "minItems": 1,
                            },
                        },
                    },
                },
            }
        ),
        title="Stream filters",
        description="Extra searchCriteria conditions per stream, AND-ed with each other and "
        'with the tap\'s own, e.g. {"orders": [{"field": "status", "condition_type": "in", '
        '"value": ["complete", "closed"]}]}. condition_type is one of Magento\'s (eq by '
        "default); a list value is sent comma-separated. Not on the fields a stream's pages "
        "are ordered by (its timestamp and key): use start_date, end_date or ids.",
    ),
    th.Property(
        "ids",
        th.CustomType(
            {
                "type": ["object", "null"],
                "additionalProperties": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_IDS,
                    "items": {"type": ["integer", "string"], "pattern": ONE_LINE},
                },
            }
        ),
        title="Records by key",
        description='Read only these records of these streams, e.g. {"orders": [1001, 1002]} '
        "(up to 10000 a stream), whatever their timestamps, and leave the streams' bookmarks "
        "where they were: to repair a few rows without a full resync. Other selected streams "
        "are read as usual.",
    ),
    th.Property(
        "log_request_metrics",
        th.BooleanType,
        default=False,
        title="Log request metrics",
        description="Log the SDK's http_request_duration METRIC line for every request. "
        "Off by default: that is a line per page. The tap's progress line every few "
        "seconds and the SDK's record and request counters are logged either way.",
    ),
).to_dict()


def check_settings(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """The schema's constraints and what it cannot say: one ``ConfigValidationError``, one line.

    Runs before the SDK's own validation, with messages that name the setting and what it
    accepts; the SDK then finds nothing left to refuse.
    """
    problems = [_schema_problem(e) for e in Draft7Validator(schema).iter_errors(dict(config))]
    if problems:
        raise config_error("Invalid config: " + "; ".join(sorted(problems)))
    rest_url(str(config.get("store_url", "")))
    start, end = (
        parse_moment(config[name], name) if config.get(name) else None
        for name in ("start_date", "end_date")
    )
    if start is not None and end is not None and start >= end:
        msg = (
            f"start_date ({config['start_date']}) must be before end_date "
            f"({config['end_date']}): nothing lies between them."
        )
        raise config_error(msg)
    for stream, value in (config.get("stream_start_dates") or {}).items():
        moment = parse_moment(value, f"stream_start_dates.{stream}")
        if end is not None and moment >= end:
            msg = (
                f"stream_start_dates.{stream} ({value}) must be before end_date "
                f"({config['end_date']}): nothing lies between them."
            )
            raise config_error(msg)
    # Only a floor the user set: the default one is simply never reached by small pages.
    page_size = config.get("page_size", schema["properties"]["page_size"]["default"])
    floor = config.get("min_page_size", 0)
    if floor > page_size:
        msg = (
            f"min_page_size ({floor}) is larger than page_size ({page_size}): pages a gateway "
            "cuts are asked for again at sizes between the two. Lower min_page_size."
        )
        raise config_error(msg)
    check_credentials(config)
    check_request_headers(config.get("request_headers") or {})


# Headers the tap sets itself: one from request_headers would contradict it.
OWN_HEADERS = {
    "authorization": "the credentials settings",
    "host": "store_url",
    "content-length": "the request itself",
    "user-agent": "user_agent",
}
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110's token


def check_request_headers(headers: Mapping[str, str]) -> None:
    for name, value in headers.items():
        if not HEADER_NAME.fullmatch(name):
            msg = (
                f"request_headers: {name!r} is not a header name (letters, digits and "
                "!#$%&'*+.^_`|~- only, no spaces or colons)."
            )
            raise config_error(msg)
        if name.lower() in OWN_HEADERS:
            msg = (
                f"request_headers: {name} is set by the tap itself (from "
                f"{OWN_HEADERS[name.lower()]}): remove it."
            )
            raise config_error(msg)
        if "\r" in value or "\n" in value:
            msg = f"request_headers: the value of {name} holds a line break: one line only."
            raise config_error(msg)


def check_credentials(config: Mapping[str, Any]) -> None:
    """Exactly one way to authenticate, complete (the store is the judge of the values)."""
    ways = {
        "OAuth 1.0a": ("consumer_key", "consumer_secret", "access_token", "access_token_secret"),
        "Adobe IMS": ("ims_client_id", "ims_client_secret", "ims_org_id"),
        "an admin user": ("username", "password", "totp_secret"),
    }
    chosen = {way: [n for n in names if config.get(n)] for way, names in ways.items()}
    # access_token belongs to OAuth 1.0a only beside the other OAuth settings.
    if chosen["OAuth 1.0a"] == ["access_token"]:
        chosen["an integration"] = chosen.pop("OAuth 1.0a")
    chosen = {way: names for way, names in chosen.items() if names}
    if len(chosen) > 1:
        listed = "; ".join(f"{', '.join(names)} for {way}" for way, names in chosen.items())
        msg = f"Two ways to authenticate are set ({listed}): keep one."
        raise config_error(msg)
    if not chosen:
        msg = (
            "No credentials: set access_token, or username and password, or consumer_key, "
            "consumer_secret, access_token and access_token_secret, or ims_client_id, "
            "ims_client_secret and ims_org_id."
        )
        raise config_error(msg)
    ((way, names),) = chosen.items()
    if way == "an admin user":
        _check_admin_login(names, config)
        return
    missing = [n for n in ways.get(way, ()) if n not in names]
    if missing:
        needed = ", ".join(ways[way][:-1]) + f" and {ways[way][-1]}"
        msg = f"{way} needs {needed}; {', '.join(missing)} missing."
        raise config_error(msg)


def _check_admin_login(names: list[str], config: Mapping[str, Any]) -> None:
    if names == ["totp_secret"]:
        msg = (
            "totp_secret is set without username and password: its one-time codes sign in "
            "an admin user, so set the user's username and password too."
        )
        raise config_error(msg)
    login = [n for n in names if n != "totp_secret"]
    if len(login) == 1:
        other = "password" if login == ["username"] else "username"
        msg = f"{login[0]} is set without {other}: an admin login needs both."
        raise config_error(msg)
    if "totp_secret" in names:
        try:
            secret_key(str(config["totp_secret"]))
        except ValueError:
            msg = (
                "totp_secret is not a base32 secret: copy the key the admin's Google "
                "Authenticator set-up shows (letters A-Z and digits 2-7, spaces allowed)."
            )
            raise config_error(msg) from None


# What a value that fails a setting's pattern should look like.
PATTERN_HINTS = {
    "start_date": DATE_FORMS,
    "end_date": DATE_FORMS,
    "store_codes": 'a store view code (a letter, then letters, digits or underscores) or "*"',
    "user_agent": "one line of text",
}


def _schema_problem(error: ValidationError) -> str:
    setting = str(error.absolute_path[0]) if error.absolute_path else ""
    path = list(error.absolute_path)
    if len(path) > 2 or (len(path) == 2 and not isinstance(path[-1], int)):
        # Inside an object setting: stream_filters.orders[0].field
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        return f"{where[1:]}: {error.message}"
    if isinstance(error.schema, Mapping) and error.schema.get("secret"):
        # jsonschema's messages start with the value itself.
        if error.validator == "minLength":
            return f"{setting} is empty"
        expected = f"{error.validator} {error.validator_value!r}"
        return f"{setting} must have {expected} (its value is not shown: it is a secret)"
    if error.validator == "pattern" and setting in PATTERN_HINTS:
        return f"{setting} has {error.instance!r}, which is not {PATTERN_HINTS[setting]}"
    if error.validator == "uniqueItems":
        return f"{setting} lists a value twice"
    return f"{setting}: {error.message}" if setting else error.message


def parse_moment(value: Any, setting: str) -> datetime.datetime:
    """A date or date-time setting as an aware datetime (UTC when it names no offset)."""
    try:
        return parse_setting(str(value))
    except ValueError:
        msg = f"{setting} is {value!r}, which is not {DATE_FORMS}."
        raise config_error(msg) from None


# --- where settings come from ---------------------------------------------------------------

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off", ""})


def read_config_file(path: str) -> dict[str, Any]:
    """One ``--config`` file: a JSON object."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        msg = f"Cannot read the config file {path}: {error.strerror or error}."
        raise config_error(msg) from None
    try:
        config = json.loads(text)
    except ValueError as error:
        msg = f"The config file {path} is not JSON: {error}."
        raise config_error(msg) from None
    if not isinstance(config, dict):
        msg = (
            f"The config file {path} holds a JSON {type(config).__name__}, not an object of "
            'settings such as {"store_url": "https://shop.example.com", ...}.'
        )
        raise config_error(msg)
    return config


def environment_config(
    schema: Mapping[str, Any], environ: Mapping[str, str], prefix: str
) -> dict[str, Any]:
    """Settings from ``<prefix><SETTING>`` variables, each converted by its schema type.

    The SDK's own reading leaves numbers as strings and takes any word but a few for false;
    here a value that does not fit its type is an error that names the variable.
    """
    config: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        variable = prefix + name.upper().replace("-", "_")
        if variable in environ:
            config[name] = _from_environment(variable, environ[variable], spec)
    return config


def _from_environment(variable: str, value: str, spec: Mapping[str, Any]) -> Any:
    kinds = spec.get("type", "string")
    kinds = {kinds} if isinstance(kinds, str) else set(kinds)
    try:
        if "integer" in kinds:
            return int(value)
        if "number" in kinds:
            return float(value)
        if "boolean" in kinds:
            word = value.strip().lower()
            if word not in TRUE_WORDS | FALSE_WORDS:
                raise ValueError
            return word in TRUE_WORDS
        if kinds & {"array", "object"}:
            parsed = json.loads(value)
            wanted = dict if "object" in kinds else list
            if not isinstance(parsed, wanted):
                raise ValueError
            return parsed
    except ValueError:
        kind = next(k for k in ("integer", "number", "boolean", "array", "object") if k in kinds)
        example = {
            "integer": "300",
            "number": "2.5",
            "boolean": "true",
            "array": '["default", "de"]',
            "object": '{"key": "value"}',
        }[kind]
        msg = f"{variable} is {value!r}, which is not of type {kind} (e.g. {example})."
        raise config_error(msg) from None
    return value
