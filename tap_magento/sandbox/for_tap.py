"""The sandbox store ``store_url: sandbox`` starts: it takes the config's credentials as its own.

So each of the README's four ways to authenticate works against it as written, placeholders
and all: the store is local and its secrets are whatever the config says they are.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from tap_magento.sandbox.auth import AuthPolicy, Credentials, SandboxAuth
from tap_magento.sandbox.server import SandboxServer

CREDENTIAL_SETTINGS = frozenset(f.name for f in fields(Credentials))
TENANT = "sandbox"  # Adobe Commerce as a Cloud Service's tenant id, for IMS credentials


def start_sandbox(config: dict[str, Any]) -> tuple[SandboxServer, dict[str, Any]]:
    """A running sandbox store that accepts ``config``'s credentials, and the config to read
    it with (its address; the store's own Bearer token when the config has no credentials)."""
    given = {
        name: value
        for name, value in config.items()
        if name in CREDENTIAL_SETTINGS and isinstance(value, str) and value
    }
    credentials = replace(Credentials(), **given)
    cloud_service = any(name.startswith("ims_") for name in given)
    # An admin with an authenticator secret signs in as on a store that enforces 2FA.
    policy = AuthPolicy(two_factor_providers=("google",) if "totp_secret" in given else ())
    server = SandboxServer(
        auth=SandboxAuth(credentials, policy), tenant_id=TENANT if cloud_service else None
    ).start()
    if cloud_service:
        where = {"store_url": f"{server.url}/{TENANT}", "ims_token_url": server.ims_token_url}
    elif given:
        where = {"store_url": server.url}
    else:
        where = {"store_url": server.url, "access_token": credentials.access_token}
    return server, {**config, **where}
