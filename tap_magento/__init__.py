"""Singer tap for Magento 2 / Adobe Commerce."""
