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

from tap_magento.front_door.causes import store_message
from tap_magento.front_door.diagnosis import network_reason, redirect_message, tls_message
from tap_magento.front_door.redaction import protect
from tap_magento.front_door.stopping import Clock
from tap_magento.front_door.totp import STEP_SECONDS, code_at, secret_key
from tap_magento.input_errors import config_error

# Both libraries log the signed Authorization header (consumer key, token) at DEBUG.
for _name in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_name).setLevel(logging.INFO)

LOGIN_PATH = "/V1/integration/admin/token"
TFA_PATH = "/V1/tfa/provider/google/authenticate"


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
        # A login the store refused: parallel readers waiting for a token get the same error
        # instead of each trying again (six failed logins lock a Magento admin account).
        self._refusal: FatalAPIError | None = None
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
        if self._refusal is not None:
            raise self._refusal
        self.logins += 1
        try:
            token = self.fetch_token()
        except FatalAPIError as refusal:
            self._refusal = refusal
            raise
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
        self._rest_url = rest_url
        self._credentials = {"username": username, "password": password}

    @override
    def fetch_token(self) -> str:
        response = self._post(self._rest_url + LOGIN_PATH, "an admin token", json=self._credentials)
        wanted = _providers(response)
        if wanted is not None:
            named = ", ".join(wanted) or "not named by the store"
            way_out = (
                "Set totp_secret to the admin user's Google Authenticator secret, or use "
                if not wanted or PROVIDER_NAMES["google"] in wanted
                else "The tap answers Google Authenticator codes only: use "
            )
            msg = (
                "The store requires two-factor authentication for admin tokens "
                f"({store_message(response)!r}; this user's providers: {named}). "
                f"{way_out}{INTEGRATION_INSTEAD}"
            )
            raise FatalAPIError(msg)
        return self._token_from(response, LOGIN_PATH)

    def _token_from(self, response: requests.Response, path: str) -> str:
        message = store_message(response)
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
            msg = f"{self._rest_url}{path} did not answer with a token (is this a Magento store?)"
            raise FatalAPIError(msg)
        return token


class AuthenticatorAdminToken(AdminToken):
    """An admin user's token on a store with two-factor authentication, from
    ``POST /V1/tfa/provider/google/authenticate`` with the current Google Authenticator code.

    Each login (the first, and each renewal) computes a fresh code from ``totp_secret`` and the
    clock. A code refused is tried once more as the next step's: a store whose clock runs up
    to 30 s ahead of this machine's (beyond its ``otp_window``) takes that one.
    """

    method = "admin username, password and Google Authenticator code (admin token)"

    def __init__(
        self,
        rest_url: str,
        username: str,
        password: str,
        *,
        totp_secret: str,
        clock: Clock,
        timeout: float,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(rest_url, username, password, timeout, headers)
        self._key = secret_key(totp_secret)
        self._clock = clock

    @override
    def fetch_token(self) -> str:
        now = self._clock.unix_time()
        response = self._authenticate(code_at(self._key, now))
        if _code_refused(response):
            response = self._authenticate(code_at(self._key, now + STEP_SECONDS))
            if _code_refused(response):
                msg = (
                    "The store refused the Google Authenticator code twice (this step's and "
                    f"the next one's: {store_message(response)!r}): check that totp_secret is "
                    "this admin user's secret, and that this machine's clock is right."
                )
                raise FatalAPIError(msg)
        message = store_message(response)
        if response.status_code == 404:
            msg = (
                f"The store has no {TFA_PATH} (Magento_TwoFactorAuth is disabled, or Google "
                "Authenticator is not installed): leave totp_secret out."
            )
            raise FatalAPIError(msg)
        if response.status_code == 400 and "not configured" in message.lower():
            msg = (
                f"The store says {message!r}: this admin user has not set up Google "
                "Authenticator yet. Sign in to the admin once and scan its code, then set "
                "totp_secret to that secret."
            )
            raise FatalAPIError(msg)
        if response.status_code == 400 and "not allowed" in message.lower():
            wanted = self._providers_wanted()
            msg = (
                f"The store does not take Google Authenticator codes from this admin user "
                f"({message!r}); it wants {wanted}, which the tap cannot answer: use "
            ) + INTEGRATION_INSTEAD
            raise FatalAPIError(msg)
        return self._token_from(response, TFA_PATH)

    def _authenticate(self, code: str) -> requests.Response:
        body = {**self._credentials, "otp": code}
        return self._post(self._rest_url + TFA_PATH, "an admin token", json=body)

    def _providers_wanted(self) -> str:
        """The user's providers, as the plain admin login names them to a 2FA user."""
        response = self._post(self._rest_url + LOGIN_PATH, "an admin token", json=self._credentials)
        return ", ".join(_providers(response) or ["another provider"])


# Magento_TwoFactorAuth's provider codes.
PROVIDER_NAMES = {
    "google": "Google Authenticator",
    "duo_security": "Duo Security",
    "authy": "Authy",
    "u2fkey": "a U2F security key",
}
INTEGRATION_INSTEAD = (
    "an integration instead: set access_token (Bearer) or consumer_key, consumer_secret, "
    "access_token and access_token_secret (OAuth 1.0a)."
)


def _providers(response: requests.Response) -> list[str] | None:
    """The providers a 2FA store's answer to the plain admin login names (None when it is not
    that answer). Magento lists them in ``parameters.active_providers`` (codes, or objects with
    a ``code``); some versions only say to use the provider endpoints."""
    message = store_message(response).lower()
    if response.status_code not in {400, 401} or not ("2fa" in message or "two-factor" in message):
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    parameters = body.get("parameters") if isinstance(body, dict) else None
    listed = parameters.get("active_providers") if isinstance(parameters, dict) else None
    codes = [item.get("code") if isinstance(item, dict) else item for item in listed or []]
    return [PROVIDER_NAMES.get(str(code), str(code)) for code in codes if code]


def _code_refused(response: requests.Response) -> bool:
    # "Invalid code." (an AuthorizationException); wrong credentials are a 401 about the sign-in.
    return response.status_code == 401 and "code" in store_message(response).lower()


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
    config: Mapping[str, Any],
    rest_url: str,
    timeout: float,
    headers: Mapping[str, str],
    clock: Clock,
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
    if config.get("totp_secret"):
        return AuthenticatorAdminToken(
            rest_url,
            config["username"],
            config["password"],
            totp_secret=config["totp_secret"],
            clock=clock,
            timeout=timeout,
            headers=headers,
        )
    if config.get("username") and config.get("password"):
        return AdminToken(rest_url, config["username"], config["password"], timeout, headers)
    msg = (
        "No credentials: set access_token, or username and password, or consumer_key, "
        "consumer_secret, access_token and access_token_secret."
    )
    raise config_error(msg)
