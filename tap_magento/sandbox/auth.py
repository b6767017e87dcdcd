"""The sandbox's four ways in: integration token as Bearer, admin token, OAuth 1.0a signatures,
and Adobe IMS tokens (Adobe Commerce as a Cloud Service)."""

from __future__ import annotations

import base64
import hmac
import secrets
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import SIGNATURE_HMAC_SHA256

ADMIN_ACL = "Magento_Backend::admin"


class AuthError(Exception):
    """A request Magento answers with 401 (or ``status``)."""

    def __init__(self, message: str, parameters: Any = None, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.parameters = parameters
        self.status = status


@dataclass(frozen=True)
class Credentials:
    """The sandbox integration's and admin user's secrets (fixed: it is a local demo store)."""

    consumer_key: str = "sandboxconsumerkey0000000000000001"
    consumer_secret: str = "sandboxconsumersecret00000000001"
    access_token: str = "sandboxaccesstoken00000000000001"
    access_token_secret: str = "sandboxtokensecret00000000000001"
    username: str = "admin"
    password: str = "sandbox-admin-123"
    # The admin user's Google Authenticator secret, for stores with two-factor authentication.
    totp_secret: str = "JBSWY3DPEHPK3PXPSANDBOX2FA"
    # Adobe IMS server-to-server (OAuth 2 client credentials) for the cloud-service mode.
    ims_client_id: str = "sandboximsclientid000000000000001"
    ims_client_secret: str = "p8e-sandbox-ims-client-secret-0001"
    ims_org_id: str = "SANDBOXORG0000000000001@AdobeOrg"


@dataclass
class AuthPolicy:
    """Store settings that change how authentication behaves."""

    integration_as_bearer: bool = True  # oauth/consumer/enable_integration_as_bearer (2.4.4+)
    admin_token_lifetime_seconds: float = 4 * 3600
    admin_token_max_uses: int | None = None  # expire tokens after N requests (for tests)
    # Magento_TwoFactorAuth: the providers the admin user has set up (codes: google,
    # duo_security, authy, u2fkey); none: the module is disabled.
    two_factor_providers: tuple[str, ...] = ()
    otp_window_steps: int = 1  # codes this many 30 s steps off the store's clock are taken
    totp_clock: Callable[[], float] = time.time  # the store's clock, for one-time codes
    # ACL resources the integration (and the admin user's role) may use; None: all of them.
    granted_resources: frozenset[str] | None = None
    ims_token_max_uses: int | None = None  # expire IMS tokens after N requests (for tests)


@dataclass
class _AdminToken:
    expires_at: float
    uses_left: int | None


@dataclass
class SandboxAuth:
    credentials: Credentials = field(default_factory=Credentials)
    policy: AuthPolicy = field(default_factory=AuthPolicy)
    _admin_tokens: dict[str, _AdminToken] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    logins: int = 0
    issued_tokens: list[str] = field(default_factory=list)  # every token handed out
    ims_logins: int = 0

    def __post_init__(self) -> None:
        self._validator = _Validator(self.credentials)
        self._endpoint = SignatureOnlyEndpoint(self._validator)

    def login(self, username: Any, password: Any) -> str:
        """``POST /V1/integration/admin/token``."""
        self._check_sign_in(username, password)
        providers = self.policy.two_factor_providers
        if providers:
            raise AuthError(
                "Please use the 2fa provider-specific endpoints to obtain a token.",
                {"active_providers": list(providers)},
            )
        return self._admin_token()

    def google_authenticate(self, username: Any, password: Any, otp: Any) -> str:
        """``POST /V1/tfa/provider/google/authenticate`` (Magento_TwoFactorAuth's
        ``Google\\Authenticate``: the sign-in, then the provider, then the code)."""
        self._check_sign_in(username, password)
        if "google" not in self.policy.two_factor_providers:
            raise AuthError("Provider is not allowed.", status=400)
        now, window = self.policy.totp_clock(), self.policy.otp_window_steps
        taken = {
            _google_code(self.credentials.totp_secret, now + 30 * step)
            for step in range(-window, window + 1)
        }
        if str(otp) not in taken:
            raise AuthError("Invalid code.")
        return self._admin_token()

    def _check_sign_in(self, username: Any, password: Any) -> None:
        if username != self.credentials.username or password != self.credentials.password:
            raise AuthError(
                "The account sign-in was incorrect or your account is disabled temporarily. "
                "Please wait and try again later."
            )

    def _admin_token(self) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self.logins += 1
            self.issued_tokens.append(token)
            self._admin_tokens[token] = _AdminToken(
                time.monotonic() + self.policy.admin_token_lifetime_seconds,
                self.policy.admin_token_max_uses,
            )
        return token

    def ims_token(self, form: Mapping[str, str]) -> dict[str, Any]:
        """Adobe IMS ``POST /ims/token/v3`` with ``grant_type=client_credentials``."""
        creds = self.credentials
        if form.get("grant_type") != "client_credentials":
            raise ImsError("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_id") != creds.ims_client_id:
            raise ImsError("invalid_client", "invalid client_id parameter")
        if form.get("client_secret") != creds.ims_client_secret:
            raise ImsError("invalid_client", "invalid client_secret parameter")
        if "commerce.accs" not in (form.get("scope") or "").split(","):
            raise ImsError("invalid_scope", "scope commerce.accs is required")
        token = "eyJ" + secrets.token_hex(24)
        with self._lock:
            self.ims_logins += 1
            self.issued_tokens.append(token)
            self._admin_tokens[token] = _AdminToken(
                time.monotonic() + 86399, self.policy.ims_token_max_uses
            )
        return {"access_token": token, "token_type": "bearer", "expires_in": 86399}

    def authenticate(
        self, method: str, url: str, headers: Mapping[str, str], resource: str = ADMIN_ACL
    ) -> None:
        """Raise AuthError unless the request carries valid credentials for ``resource``.

        Like Magento, a refused token is treated as a guest, who lacks the route's resource.
        """
        header = headers.get("Authorization", "")
        if header.startswith("OAuth "):
            self._check_oauth(method, url, header)
        elif header.startswith("Bearer "):
            if not self._bearer_valid(header.removeprefix("Bearer ").strip()):
                raise _not_authorized(resource)
        else:
            raise _not_authorized(resource)
        granted = self.policy.granted_resources
        if granted is not None and resource not in granted:
            raise _not_authorized(resource)

    def _bearer_valid(self, token: str) -> bool:
        with self._lock:
            admin = self._admin_tokens.get(token)
            if admin is not None:
                if admin.expires_at < time.monotonic() or admin.uses_left == 0:
                    del self._admin_tokens[token]
                    return False
                if admin.uses_left is not None:
                    admin.uses_left -= 1
                return True
        return token == self.credentials.access_token and self.policy.integration_as_bearer

    def _check_oauth(self, method: str, url: str, header: str) -> None:
        with self._lock:
            self._validator.nonce_reused = False
            valid, _ = self._endpoint.validate_request(url, method, None, {"Authorization": header})
            reused = self._validator.nonce_reused
        if reused:
            raise AuthError("The nonce is already being used by the consumer with ID %1", ["1"])
        if not valid:
            raise AuthError("The signature is invalid. Verify and try again.")


class ImsError(Exception):
    """An IMS token request Adobe answers with 400 or 401 and an OAuth 2 error body."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.status = 401 if error == "invalid_client" else 400
        self.body = {"error": error, "error_description": description}


def _google_code(secret: str, unix_time: float) -> str:
    """What the admin's Google Authenticator shows at ``unix_time`` (RFC 6238, written apart
    from the tap's own, so that the store checks the tap's codes and not a copy of them)."""
    compact = secret.replace(" ", "").upper()
    key = base64.b32decode(compact + "=" * ((8 - len(compact) % 8) % 8))
    mac = hmac.digest(key, (int(unix_time) // 30).to_bytes(8, "big"), "sha1")
    start = mac[19] % 16
    (value,) = struct.unpack_from(">I", mac, start)
    return f"{(value & 0x7FFFFFFF) % 1_000_000:06d}"


def _not_authorized(resource: str) -> AuthError:
    return AuthError("The consumer isn't authorized to access %resources.", {"resources": resource})


class _Validator(RequestValidator):  # type: ignore[misc]
    """What oauthlib needs to know about our one integration."""

    enforce_ssl = False  # the sandbox listens on plain HTTP on loopback

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials
        self.seen_nonces: set[tuple[str, str, str]] = set()
        self.nonce_reused = False

    @property
    def allowed_signature_methods(self) -> tuple[str, ...]:
        return (SIGNATURE_HMAC_SHA256,)  # HMAC-SHA1 is refused since 2.4.4

    @property
    def dummy_client(self) -> str:
        return "dummyclientkey000000000000000000"

    @property
    def dummy_access_token(self) -> str:
        return "dummyaccesstoken0000000000000000"

    # Any non-empty key: with ``store_url: sandbox`` the keys are what the config says,
    # placeholders such as "..." included (``sandbox.for_tap``).
    def check_client_key(self, client_key: str) -> bool:
        return bool(client_key)

    def check_access_token(self, request_token: str) -> bool:
        return bool(request_token)

    def check_nonce(self, nonce: str) -> bool:
        return nonce.isalnum()

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == self.credentials.consumer_key

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token == self.credentials.access_token

    def validate_timestamp_and_nonce(  # noqa: PLR0917 - oauthlib's signature
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        key = (client_key, timestamp, nonce)
        if key in self.seen_nonces:
            self.nonce_reused = True
            return False
        self.seen_nonces.add(key)
        return True

    def validate_realms(self, *args: Any, **kwargs: Any) -> bool:
        return True

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return self.credentials.consumer_secret

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self.credentials.access_token_secret
