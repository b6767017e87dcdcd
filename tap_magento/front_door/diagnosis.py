"""What a store's answer (or silence) means, and what the user should do about it.

Every message here is one line: it is what a failed run prints. None of them holds a
credential: they name requests by method and path, never by headers or query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_magento.front_door.causes import (
    BATCH_REFUSAL,
    GATEWAY_TIMEOUT,
    PAGE_SIZE_REFUSAL,
    Cause,
    cause_of,
    is_html,
    store_message,
)
from tap_magento.front_door.errors import (
    AccessRefused,
    BatchRefused,
    PageCut,
    PageSizeRefused,
    RouteMissing,
    StoreFailed,
    UnreadableRecords,
)
from tap_magento.front_door.php_output import PhpMessage

NOT_AUTHORIZED = re.compile(r"isn't authorized to access (.+?)\.?$")
STORE_CODE_IN_PATH = re.compile(r"/rest/([^/]+)/V1/")
SSL_REASON = re.compile(r"\[SSL: [A-Z_]+\] (.+?) \(_ssl")
BEARER_OPTION = (
    "Stores > Configuration > Services > OAuth > Consumer Settings > Allow OAuth Access "
    "Tokens to be used as standalone Bearer tokens"
)


@dataclass(frozen=True)
class Credentials:
    """How the tap authenticates, as far as explaining a refusal needs to know."""

    method: str  # e.g. "integration access token (Bearer)"
    bearer_integration_token: bool = False
    proven: bool = False  # the store has accepted them for some request in this run


def raise_for_answer(
    response: requests.Response, credentials: Credentials, user_agent: str
) -> None:
    """Raise the error a failed answer calls for (``causes.cause_of``); return for a success.

    Each error carries its cause, which the retry loop looks up (``retry.RULES``).
    """
    cause = cause_of(response)
    if cause is None:
        return
    raise error_for(cause, response, credentials, user_agent)


def error_for(
    cause: Cause, response: requests.Response, credentials: Credentials, user_agent: str
) -> Exception:
    """The error, with its one line, for an answer of ``cause``."""
    if cause is Cause.REDIRECTED:
        return FatalAPIError(redirect_message(response))
    if cause is Cause.NOT_JSON:
        return FatalAPIError(not_json_message(response, user_agent))
    if cause is Cause.GATEWAY_CUT:
        return PageCut(error_message(response), response)
    if cause is Cause.PAGE_SIZE_REFUSED:
        refusal = PAGE_SIZE_REFUSAL.search(store_message(response))
        return PageSizeRefused(int(refusal.group(1)) if refusal else 0, error_message(response))
    if cause is Cause.BATCH_REFUSED:
        limit = BATCH_REFUSAL.search(store_message(response))
        return BatchRefused(int(limit.group(1)) if limit else None, error_message(response))
    if cause is Cause.CREDENTIALS_REFUSED:
        refused = NOT_AUTHORIZED.search(store_message(response))
        return AccessRefused(
            unauthorized_message(response, credentials), refused.group(1) if refused else None
        )
    if cause is Cause.NO_ROUTE:
        return RouteMissing(
            f"store_url is not the store's base URL: {error_message(response)}. Use the address "
            "the store is served from (with its subdirectory, if any), without /index.php or "
            "a store code."
        )
    if cause is Cause.NO_STORE_VIEW:
        found = STORE_CODE_IN_PATH.search(urlsplit(response.url).path)
        code = found.group(1) if found else "?"
        return FatalAPIError(
            f"store_codes has {code!r}, which is not a store view of this store "
            f"({error_message(response)}). Use the codes under Stores > All Stores."
        )
    if cause in {Cause.ENTITY_MISSING, Cause.SERVER_ERROR}:
        # A 404 for some other entity: a record refers to one that is gone (docs/magento-rest.md).
        return UnreadableRecords(error_message(response), response, cause)
    if cause is Cause.CLIENT_ERROR:
        return FatalAPIError(error_message(response))
    return StoreFailed(error_message(response), response, cause)


def one_line(error: BaseException) -> str:
    """An error's message on one line (what a failed run prints last)."""
    return " ".join(str(error).split()) or type(error).__name__


def error_message(response: requests.Response) -> str:
    """Status, request line and the store's own message."""
    body = repr(store_message(response))
    if is_html(response):
        timeout = GATEWAY_TIMEOUT.search(response.text[:5000])
        body = f"an HTML page ({timeout.group(0)})" if timeout else "an HTML page"
    return f"{response.status_code} {response.reason} for {request_line(response)}: {body}"


def unauthorized_message(response: requests.Response, credentials: Credentials) -> str:
    message = store_message(response)
    refused = NOT_AUTHORIZED.search(message)
    if refused is None:
        return (
            f"The store refused the {credentials.method} for {request_line(response)}: "
            f"{message!r}. Check the credentials in the config."
        )
    resource = refused.group(1)
    if credentials.bearer_integration_token and not credentials.proven:
        return (
            f"The store refused the integration access token as a Bearer token for "
            f"{request_line(response)} ({message!r}): the token is wrong, the integration "
            f"lacks ACL resource {resource}, or the store does not accept integration tokens "
            "as Bearer tokens (the default since Magento 2.4.4). Use OAuth 1.0a (set "
            "consumer_key, consumer_secret and access_token_secret too) or enable "
            f"{BEARER_OPTION}."
        )
    return (
        f"The {credentials.method} has no access to ACL resource {resource}, which "
        f"{request_line(response)} needs: grant it to the integration (System > Extensions > "
        "Integrations > API) or to the admin user's role, or deselect the stream."
    )


def redirect_message(response: requests.Response) -> str:
    """One line: where the store sent the tap instead, and the store_url that asks it there.

    Redirects are never followed: a request sent on to another address would take the
    credentials with it (an OAuth signature, a token), or arrive without them and be refused
    as if they were wrong.
    """
    location = urljoin(response.url, response.headers.get("Location", ""))
    asked, sent_to = urlsplit(response.url), urlsplit(location)
    suggested = (
        moved_base(asked.path, sent_to.path, f"{sent_to.scheme}://{sent_to.netloc}") or location
    )
    return (
        f"The store answered {request_line(response)} with a redirect ({response.status_code}) "
        f"to {location}: set store_url to {suggested}. The tap follows no redirect, so that "
        "credentials never go to another address."
    )


def moved_base(asked: str, sent_to: str, origin: str) -> str | None:
    """The store's base URL after the move: the redirect's address less what it has in
    common with the request's at the end (the route)."""
    asked_parts, sent_parts = asked.strip("/").split("/"), sent_to.strip("/").split("/")
    common = 0
    while (
        common < min(len(asked_parts), len(sent_parts))
        and asked_parts[-1 - common] == sent_parts[-1 - common]
    ):
        common += 1
    if common == 0:
        return None
    base = "/".join(sent_parts[: len(sent_parts) - common])
    return f"{origin}/{base}".rstrip("/")


def not_json_message(response: requests.Response, user_agent: str) -> str:
    content_type = response.headers.get("Content-Type", "no content type")
    where = f"{request_line(response)} ({response.status_code})"
    vendor = firewall_vendor(response)
    if vendor is not None:
        return (
            f"{vendor} answered {where} with an HTML page instead of Magento's JSON: its "
            f"firewall, bot protection or access gate is blocking the tap. Allow this "
            f"machine's IP address or the User-Agent {user_agent!r} for /rest/ in {vendor}'s "
            "rules, or send the gate's headers (an access service token) with request_headers."
        )
    return (
        f"Expected JSON from {where} but got {content_type} ({len(response.content)} "
        "bytes): a maintenance page, firewall, access gate or CDN answered instead of "
        "Magento (a gate's headers go in request_headers), or store_url is not the store's "
        "base URL."
    )


def php_output_message(response: requests.Response, printed: list[PhpMessage], rest: bytes) -> str:
    """One line: the store printed PHP messages and no JSON after them."""
    after = repr(rest[:120].decode("utf-8", errors="replace")) if rest else "nothing"
    return (
        f"{request_line(response)} ({response.status_code}): the store printed PHP's "
        f"{printed[0]} ({len(printed)} PHP messages) and then {after} instead of JSON. "
        "Fix what it reports, and turn display_errors off in the store's PHP settings."
    )


def php_notice_warning(label: str, printed: PhpMessage) -> str:
    return (
        f"{label}: the store prints PHP messages before its JSON, e.g. {printed}; the JSON "
        "after them is read. Turn display_errors off in the store's PHP settings (php.ini): "
        "production stores must not print them."
    )


def firewall_vendor(response: requests.Response) -> str | None:
    """Which web application firewall or CDN wrote this page, if it says so."""
    headers = response.headers
    server = headers.get("Server", "").lower()
    text = response.text[:5000].lower() if is_html(response) else ""
    if "cf-ray" in headers or server == "cloudflare" or "cloudflare" in text:
        return "Cloudflare"
    if "x-sucuri-id" in headers or "sucuri" in server or "sucuri" in text:
        return "Sucuri"
    if "akamai" in server or "akamai" in text:
        return "Akamai"
    return None


def request_line(response: requests.Response) -> str:
    method = response.request.method if response.request is not None else "GET"
    return f"{method} {urlsplit(response.url).path}"


# --- when retrying did not help -------------------------------------------------------------


def explain_gave_up(
    cause: str, error: BaseException, tries: int, waited: float, max_wait_seconds: float
) -> str:
    """One line: what failed, how long the tap kept trying, and what to change."""
    if isinstance(error, requests.exceptions.SSLError):
        return tls_message(error)
    if isinstance(error, PageCut):
        return (
            f"{error}. Still {cause} after {tries} tries and {waited:.0f} s of waiting: the "
            "store takes longer to answer than its gateway (or request_timeout) allows, even "
            "for the smallest page. Raise the gateway's timeout (on Adobe Commerce Cloud, "
            "Fastly's first byte timeout) or request_timeout, or lower min_page_size."
        )
    response = getattr(error, "response", None)
    if response is None or not isinstance(error, RetriableAPIError):
        return (
            f"{failed_request(error)} failed {tries} times over {waited:.0f} s: "
            f"{network_reason(error)}. Check that {host_of(error)} is reachable from this "
            "machine (store_url, DNS, firewall, proxy), or raise request_timeout if the store "
            "is just slow."
        )
    status = response.status_code
    retry_after = response.headers.get("Retry-After")
    if status == 429 and retry_after is not None and tries == 1:
        return (
            f"{error}. The store asks to wait {retry_after} s (Retry-After), longer than "
            f"max_wait_seconds ({max_wait_seconds:g}): raise max_wait_seconds, or set "
            "min_request_interval so the tap asks less often."
        )
    advice = {
        429: f"raise max_wait_seconds (now {max_wait_seconds:g}) or set min_request_interval "
        "so the tap asks less often",
        503: "the store is in maintenance or overloaded: run again when it is back (the sync "
        f"resumes from its bookmarks), or raise max_wait_seconds (now {max_wait_seconds:g})",
        200: "the store keeps sending JSON cut short or broken (its PHP may run out of "
        "memory or time: see its var/log); run again later",
        401: "check that this machine's clock is right and that nothing else signs requests "
        "with the same integration at the same moment",
    }.get(status, "the store or a proxy in front of it keeps failing; run again later")
    return f"{error}. Still {cause} after {tries} tries and {waited:.0f} s of waiting: {advice}."


def tls_message(error: BaseException) -> str:
    found = SSL_REASON.search(str(error))
    reason = found.group(1) if found else type(error).__name__
    return (
        f"TLS error talking to {host_of(error)}: {reason}. Fix the store's certificate "
        "(expired, self-signed, wrong host name or a missing intermediate), or if a private "
        "CA signed it, point REQUESTS_CA_BUNDLE at that CA's certificate."
    )


def network_reason(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, requests.exceptions.ReadTimeout):
        return "no answer within request_timeout"
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return "connecting timed out"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the response was cut off"
    for clue, reason in (
        ("Connection refused", "connection refused"),
        ("NameResolutionError", "the host name does not resolve"),
        ("Name or service not known", "the host name does not resolve"),
        ("RemoteDisconnected", "the server closed the connection without answering"),
        ("Connection reset", "the connection was reset"),
        ("Connection aborted", "the connection was dropped"),
    ):
        if clue in text:
            return reason
    return type(error).__name__


def failed_request(error: BaseException) -> str:
    request = getattr(error, "request", None)
    if request is None or not getattr(request, "url", None):
        return "A request"
    return f"{request.method} {urlsplit(request.url).path}"


def host_of(error: BaseException) -> str:
    request = getattr(error, "request", None)
    url = getattr(request, "url", None) if request is not None else None
    return (urlsplit(url).hostname or "the store") if url else "the store"
