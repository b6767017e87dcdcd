"""singer-sdk's standard tap tests, run against a sandbox store over HTTP."""

from __future__ import annotations

from singer_sdk.testing import get_tap_test_class

from tap_magento.tap import TapMagento
from tests.support import bearer_config, make_server

# One store for the whole class: the SDK builds its test cases from this config at import.
_SERVER = make_server().start()

TestTapMagento = get_tap_test_class(
    TapMagento,
    config=bearer_config(_SERVER, start_date="2024-01-01T00:00:00Z", store_codes=["default", "fr"]),
)
