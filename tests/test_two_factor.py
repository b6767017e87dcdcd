"""Admins with two-factor authentication: the tap answers Google Authenticator itself.

The sandbox enforces 2FA as Magento_TwoFactorAuth does: the plain admin login names the
user's providers, and ``POST /V1/tfa/provider/google/authenticate`` takes the sign-in and the
current one-time code, checked against the store's own clock. Both clocks are the test's.
"""

from __future__ import annotations

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.front_door.totp import code_at, secret_key
from tap_magento.sandbox.auth import AuthPolicy
from tap_magento.sandbox.server import SandboxServer
from tests.support import (
    FakeClock,
    admin_config,
    make_server,
    run_tap,
    sync,
    two_factor_config,
)

ORDERS = ["orders"]
TFA = "/rest/V1/tfa/provider/google/authenticate"
LOGIN = "/rest/V1/integration/admin/token"
# RFC 6238, appendix B: the SHA-1 key "12345678901234567890", its 8-digit codes cut to 6.
RFC_KEY = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
RFC_CODES = {59: "287082", 1111111109: "081804", 1111111111: "050471",
             1234567890: "005924", 2000000000: "279037", 20000000000: "353130"}  # fmt: skip


@pytest.mark.parametrize("unix_time", list(RFC_CODES))
def test_codes_are_rfc_6238s(unix_time: int) -> None:
    assert code_at(secret_key(RFC_KEY), unix_time) == RFC_CODES[unix_time]


def test_a_secret_is_read_as_authenticator_apps_show_it() -> None:
    spaced = " ".join(RFC_KEY.lower()[i : i + 4] for i in range(0, len(RFC_KEY), 4))
    assert secret_key(spaced) == b"12345678901234567890"
    assert secret_key("JBSWY3DPEHPK3PXP") == secret_key("jbswy3dpehpk3pxp=")
    for bad in ("", "   ", "JBSWY3DP1", "JBSWY3DPEHPK3PX!", "A"):
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError: the setting is refused
            secret_key(bad)


def two_factor_store(clock: FakeClock, *, store_ahead: float = 0.0, **policy) -> SandboxServer:
    """A store enforcing Google Authenticator, whose clock reads ``store_ahead`` s more."""
    policy.setdefault("two_factor_providers", ("google",))
    return make_server(
        policy=AuthPolicy(totp_clock=lambda: clock.unix_time() + store_ahead, **policy)
    )


def posts(server: SandboxServer, path: str) -> list[int]:
    return [r.status for r in server.requests if r.method == "POST" and r.path == path]


def test_a_two_factor_admin_reads_the_store() -> None:
    clock = FakeClock()
    with two_factor_store(clock) as server:
        result = sync(two_factor_config(server), streams=ORDERS, clock=clock)
        assert len(result.records["orders"]) == len(server.store.records("orders"))
        assert posts(server, TFA) == [200]
        assert posts(server, LOGIN) == []  # the plain login is never tried


def test_a_store_clock_a_step_ahead_takes_the_next_code() -> None:
    clock = FakeClock()
    with two_factor_store(clock, store_ahead=30, otp_window_steps=0) as server:
        result = sync(two_factor_config(server), streams=ORDERS, clock=clock)
        assert len(result.records["orders"]) == len(server.store.records("orders"))
        assert posts(server, TFA) == [401, 200]


def test_a_code_refused_twice_names_the_secret_and_the_clock() -> None:
    clock = FakeClock()
    with two_factor_store(clock, store_ahead=90, otp_window_steps=0) as server:
        with pytest.raises(FatalAPIError, match="refused the Google Authenticator code") as error:
            sync(two_factor_config(server), streams=ORDERS, clock=clock)
        assert "totp_secret" in str(error.value) and "clock" in str(error.value)
        assert posts(server, TFA) == [401, 401]  # once, and once more: no lock-out by retries


def test_each_renewal_signs_in_with_a_fresh_code() -> None:
    # Tokens last 3 requests, and 31 s pass on both clocks with every list request: a code used
    # twice would be refused (no window), so each login must compute its own.
    clock = FakeClock()
    with two_factor_store(clock, otp_window_steps=0, admin_token_max_uses=3) as server:
        server.hooks.append(lambda path, _: path == TFA or clock.pass_wall_time(31))
        config = two_factor_config(server, page_size=100, max_parallel_requests=1)
        result = sync(config, streams=ORDERS, clock=clock)
        assert len(result.records["orders"]) == len(server.store.records("orders"))
        logins = posts(server, TFA)
        assert len(logins) >= 3 and set(logins) == {200}


def test_without_totp_secret_the_error_says_to_set_it() -> None:
    clock = FakeClock()
    with two_factor_store(clock) as server:
        with pytest.raises(FatalAPIError, match="two-factor") as error:
            sync(admin_config(server), streams=ORDERS, clock=clock)
        assert "Google Authenticator" in str(error.value)
        assert "Set totp_secret" in str(error.value)
        assert "consumer_key" in str(error.value) and "access_token" in str(error.value)


def test_another_provider_is_named_without_and_with_totp_secret() -> None:
    clock = FakeClock()
    with two_factor_store(clock, two_factor_providers=("duo_security",)) as server:
        with pytest.raises(FatalAPIError, match="Duo Security") as plain:
            sync(admin_config(server), streams=ORDERS, clock=clock)
        assert "totp_secret" not in str(plain.value) and "integration" in str(plain.value)
        with pytest.raises(FatalAPIError, match="wants Duo Security") as with_secret:
            sync(two_factor_config(server), streams=ORDERS, clock=clock)
        assert "Provider is not allowed." in str(with_secret.value)


def test_a_store_without_two_factor_says_to_leave_the_secret_out() -> None:
    clock = FakeClock()
    with two_factor_store(clock, two_factor_providers=()) as server:
        with pytest.raises(FatalAPIError, match="leave totp_secret out"):
            sync(two_factor_config(server), streams=ORDERS, clock=clock)
        assert posts(server, TFA) == [404]


def test_a_wrong_password_is_not_blamed_on_the_code() -> None:
    clock = FakeClock()
    with two_factor_store(clock) as server:
        config = {**two_factor_config(server), "password": "wrong"}
        with pytest.raises(FatalAPIError, match="refused the admin username or password"):
            sync(config, streams=ORDERS, clock=clock)
        assert posts(server, TFA) == [401]  # not retried: six failures lock the account


@pytest.mark.parametrize("test_only", [False, True], ids=["sync", "--test"])
def test_the_cli_reads_a_two_factor_store_on_real_time(tmp_path, test_only: bool) -> None:
    # Real clocks on both sides: the store takes the step before and after its own.
    with make_server(policy=AuthPolicy(two_factor_providers=("google",))) as server:
        args = ["--test"] if test_only else []
        done = run_tap(tmp_path, two_factor_config(server, page_size=200), *args)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "Google Authenticator code" in done.stderr  # the method, named in the log
        assert server.auth.credentials.totp_secret not in done.stderr + done.stdout
        assert 200 in posts(server, TFA)


def test_the_cli_names_another_provider_in_one_error_line(tmp_path) -> None:
    with make_server(policy=AuthPolicy(two_factor_providers=("u2fkey",))) as server:
        done = run_tap(tmp_path, two_factor_config(server))
        assert done.returncode == 1
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
        assert len(errors) == 1 and "a U2F security key" in errors[0], done.stderr[-2000:]
        assert "Traceback" not in done.stderr
        assert server.auth.credentials.totp_secret not in done.stderr
