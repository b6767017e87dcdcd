"""Names several domains' lists share: searchCriteria names of keys, and modules."""

from __future__ import annotations

# EAV entities (products, customers, categories) answer ``id`` but filter and sort on their
# table's ``entity_id`` column: ``id`` is not one of their attributes.
EAV_NAMES = {"id": "entity_id"}
# Other lists whose records say ``id`` for a column named otherwise (their tables' primary
# keys); an assumption from the tables, written down in docs/streams.md.
TABLE_KEY_NAMES = {"id": "entity_id"}  # quotes (carts), companies, credits, shared catalogs
ROLE_KEY_NAMES = {"id": "role_id"}  # company_roles
TEAM_KEY_NAMES = {"id": "team_id"}  # company_team
MSI = "Magento_Inventory (MSI; can be disabled)"
