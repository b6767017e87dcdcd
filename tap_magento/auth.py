"""The four ways into a Magento store, as ``requests`` auth objects the SDK can apply."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

import requests
from requests.auth import AuthBase
from requests_oauthlib import OAuth1
from singer_sdk.exceptions import FatalAPIError
from typing_extensions import override

from tap_magento.diagnosis import network_reason, redirect_message, store_message, tls_message
from tap_magento.errors import config_error
from tap_magento.redaction import protect

# Both libraries log the signed Authorization header (consumer key, token) at DEBUG.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)

LOGIN_PATH = "/V1/integration/admin/token"


class BearerToken(AuthBase):
    """An integration access token sent as ``Authorization: Bearer``."""

    method = "integration access token (Bearer)"

    def __init__(self, token: str) -> None:
        self._token = token

    @override
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    @override
    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"


class RenewedToken(AuthBase):
    """A Bearer token the tap fetches itself, fetched again when the store answers 401.

    Tokens expire (admin tokens after 4 hours by default, IMS tokens after about 24), so a long
    sync outlives its token. On a 401 the token is fetched again and the request re-sent once,
    in the same way ``requests`` handles digest auth: a response hook that re-sends on the same
    connection. Subclasses say how a token is fetched, and what else each request carries.
    """

    method = "a renewed token"

    def __init__(self, timeout: float, headers: Mapping[str, str]) -> None:
        """``headers``: what every request to the store carries besides the token (the
        User-Agent, an access gate's headers)."""
        self._timeout = timeout
        self._headers = dict(headers)
        self._token: str | None = None
        # A token from a renewal that no answer has accepted yet: a 401 for it says the
        # resource is refused, not that the token expired (it is minutes old).
        self._unproven = False
        self.logins = 0
        # Parallel readers: requests that fail with the same expired token share one renewal.
        self._renewal = threading.Lock()

    def fetch_token(self) -> str:
        raise NotImplementedError

    def extra_headers(self) -> dict[str, str]:
        return {}

    @override
    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    @override
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._current_token()}"
        request.headers.update(self.extra_headers())
        hooks = request.hooks["response"]
        if self._renew_on_401 not in hooks:  # the SDK applies auth twice per request
            hooks.append(self._renew_on_401)
        return request

    def _current_token(self) -> str:
        with self._renewal:
            if self._token is None:
                self._token = self._login()
            return self._token

    def _login(self) -> str:
        self.logins += 1
        token = self.fetch_token()
        protect(token)
        return token

    def _renew_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        # Only the first response reaches this hook: the re-sent request below goes straight
        # to the connection, so a second 401 is returned as it is.
        if response.status_code != 401:
            self._accepted(response.request)
            return response
        with self._renewal:
            # Ours expired, unless another request has renewed it since, or it is a renewed
            # token the store has not accepted yet (parallel readers refused one resource).
            if self._is_current(response.request) and not self._unproven:
                self._token = self._login()
                self._unproven = True
        token = self._current_token()
        response.content  # noqa: B018 - read the body so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {token}"
        new_response: requests.Response = response.connection.send(retry, **kwargs)
        if new_response.status_code != 401:
            self._accepted(retry)
        new_response.history.append(response)
        new_response.request = retry
        return new_response

    def _is_current(self, request: requests.PreparedRequest) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self._token}"

    def _accepted(self, request: requests.PreparedRequest) -> None:
        if self._unproven and self._is_current(request):
            self._unproven = False

    def _post(self, url: str, what: str, **kwargs: Any) -> requests.Response:
        try:
            response = requests.post(
                url,
                timeout=self._timeout,
                headers={**self._headers, "Accept": "application/json"},
                allow_redirects=False,  # the password or secret goes nowhere else
                **kwargs,
            )
        except requests.exceptions.SSLError as exc:
            raise FatalAPIError(tls_message(exc)) from None
        except requests.RequestException as exc:
            msg = f"Could not reach {url} to get {what}: {network_reason(exc)}"
            raise FatalAPIError(msg) from None
        if response.is_redirect:
            raise FatalAPIError(redirect_message(response))
        return response


class AdminToken(RenewedToken):
    """An admin user's token from ``POST /V1/integration/admin/token``."""

    method = "admin username and password (admin token)"

    def __init__(
        self,
        rest_url: str,
        username: str,
        password: str,
        timeout: float,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(timeout, headers)
        self._login_url = rest_url + LOGIN_PATH
        self._credentials = {"username": username, "password": password}

    @override
    def fetch_token(self) -> str:
        response = self._post(self._login_url, "an admin token", json=self._credentials)
        message = store_message(response)
        if response.status_code == 401 and "2fa" in message.lower():
            msg = (
                "The store requires two-factor authentication for admin tokens "
                f"({message!r}). Use an integration instead: set access_token (Bearer) or "
                "consumer_key, consumer_secret, access_token and access_token_secret (OAuth 1.0a)."
            )
            raise FatalAPIError(msg)
        if response.status_code == 401:
            msg = f"The store refused the admin username or password: {message}"
            raise FatalAPIError(msg)
        if response.status_code != 200:
            msg = f"Admin token request failed with {response.status_code}: {message}"
            raise FatalAPIError(msg)
        try:
            token = response.json()
        except ValueError:
            token = None
        if not isinstance(token, str) or not token:
            msg = f"{self._login_url} did not answer with a token (is this a Magento store?)"
            raise FatalAPIError(msg)
        return token


class ImsToken(RenewedToken):
    """Adobe IMS OAuth 2 server-to-server credentials (Adobe Commerce as a Cloud Service).

    A ``client_credentials`` token from ``ims_token_url``; every request also carries the
    client id as ``x-api-key`` and the organization as ``x-gw-ims-org-id``.
    """

    method = "Adobe IMS OAuth 2 server-to-server credentials"

    def __init__(
        self, config: Mapping[str, Any], timeout: float, headers: Mapping[str, str]
    ) -> None:
        # Adobe IMS is not the store: an access gate's headers are not for it.
        super().__init__(timeout, {"User-Agent": headers["User-Agent"]})
        self._token_url = str(config["ims_token_url"])
        self._client_id = str(config["ims_client_id"])
        self._form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": str(config["ims_client_secret"]),
            "scope": ",".join(config["ims_scopes"]),
        }
        self._org_id = str(config["ims_org_id"])

    @override
    def extra_headers(self) -> dict[str, str]:
        return {"x-api-key": self._client_id, "x-gw-ims-org-id": self._org_id}

    @override
    def fetch_token(self) -> str:
        response = self._post(self._token_url, "an Adobe IMS token", data=self._form)
        try:
            body = response.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        token = body.get("access_token")
        if response.status_code == 200 and isinstance(token, str) and token:
            return token
        error = body.get("error") or f"status {response.status_code}"
        description = body.get("error_description") or response.text[:200].strip()
        msg = (
            f"Adobe IMS refused the token request ({error}: {description}): check "
            "ims_client_id, ims_client_secret and ims_scopes against the project's OAuth "
            "server-to-server credential in the Adobe Developer Console."
        )
        raise FatalAPIError(msg)


def oauth1(config: Mapping[str, Any]) -> OAuth1:
    """OAuth 1.0a signing with HMAC-SHA256 (Magento refuses HMAC-SHA1 since 2.4.4).

    ``requests_oauthlib`` signs with a new nonce and timestamp every time it is applied, and the
    SDK applies the authenticator to every attempt, so retries are signed afresh.
    """
    signer = OAuth1(
        client_key=config["consumer_key"],
        client_secret=config["consumer_secret"],
        resource_owner_key=config["access_token"],
        resource_owner_secret=config["access_token_secret"],
        signature_method="HMAC-SHA256",
    )
    signer.method = "OAuth 1.0a (integration consumer key and access token)"
    return signer


def authenticator_for(
    config: Mapping[str, Any], rest_url: str, timeout: float, headers: Mapping[str, str]
) -> AuthBase:
    """Choose the authentication method from which settings are present.

    ``settings.check_credentials`` has made sure there is exactly one, and it is complete.
    """
    if config.get("ims_client_id"):
        return ImsToken(config, timeout, headers)
    if config.get("consumer_key"):
        return oauth1(config)  # type: ignore[no-any-return]
    if config.get("access_token"):
        return BearerToken(config["access_token"])
    if config.get("username") and config.get("password"):
        return AdminToken(rest_url, config["username"], config["password"], timeout, headers)
    msg = (
        "No credentials: set access_token, or username and password, or consumer_key, "
        "consumer_secret, access_token and access_token_secret."
    )
    raise config_error(msg)
