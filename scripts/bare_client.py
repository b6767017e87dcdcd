"""The yardstick for the tap's speed: the least a client can do to copy a store's orders.

    python scripts/bare_client.py URL TOKEN PAGE_SIZE [STREAM_PATH]

Standard library only: it asks for page 1, 2, 3 ... of the list sorted by its key, parses each
page with ``json.loads`` and writes each record with ``json.dumps`` to /dev/null, until a short
page. No retries, no schema, no state: what the tap does beyond that is what it costs.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request


def main(url: str, token: str, page_size: int, path: str = "/rest/V1/orders") -> int:
    records = 0
    page = 1
    with open("/dev/null", "w") as sink:
        while True:
            query = urllib.parse.urlencode({
                "searchCriteria[pageSize]": page_size,
                "searchCriteria[currentPage]": page,
                "searchCriteria[sortOrders][0][field]": "entity_id",
                "searchCriteria[sortOrders][0][direction]": "ASC",
            })  # fmt: skip
            request = urllib.request.Request(
                f"{url}{path}?{query}", headers={"Authorization": f"Bearer {token}"}
            )
            with urllib.request.urlopen(request) as response:
                items = json.loads(response.read())["items"]
            for item in items:
                sink.write(json.dumps(item) + "\n")
            records += len(items)
            if len(items) < page_size:
                return records
            page += 1


if __name__ == "__main__":
    print(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:]))
