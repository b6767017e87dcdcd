"""``python -m tap_magento``."""

from tap_magento.tap import TapMagento

TapMagento.cli()
