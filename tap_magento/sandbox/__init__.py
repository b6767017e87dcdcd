"""A local Magento REST store for tests and demos: generated data, real HTTP, real auth."""
