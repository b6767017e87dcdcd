"""The yardsticks for the tap's CPU: the least a client can do to copy a store's orders.

    python scripts/bare_client.py URL TOKEN PAGE_SIZE [--msgspec] [--path /rest/V1/orders]

It asks for page 1, 2, 3 ... of the list sorted by its key over one kept-alive ``http.client``
connection, decodes each page and writes each record as a JSON line to /dev/null, until a short
page. No retries, no schema, no state: what the tap does beyond that is what it costs.

- Standard library (the default): ``json.loads`` and ``json.dumps``.
- ``--msgspec``: msgspec both ways, numbers as floats: the least work a Python client can do
  per record (the tap keeps decimals exact, which this does not).
"""

from __future__ import annotations

import argparse
import http.client
import json
import urllib.parse
from collections.abc import Callable
from typing import Any

import msgspec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("token")
    parser.add_argument("page_size", type=int)
    parser.add_argument("--msgspec", action="store_true")
    parser.add_argument("--path", default="/rest/V1/orders")
    args = parser.parse_args()
    if args.msgspec:
        encoder = msgspec.json.Encoder()
        decode: Callable[[bytes], Any] = msgspec.json.Decoder().decode

        def encode(item: Any) -> bytes:
            return encoder.encode(item) + b"\n"
    else:
        decode = json.loads

        def encode(item: Any) -> bytes:
            return (json.dumps(item) + "\n").encode()

    print(copy(args.url, args.token, args.page_size, args.path, decode=decode, encode=encode))


def copy(
    url: str,
    token: str,
    page_size: int,
    path: str,
    *,
    decode: Callable[[bytes], Any],
    encode: Callable[[Any], bytes],
) -> int:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "localhost", parts.port)
    headers = {"Authorization": f"Bearer {token}"}
    records = 0
    page = 1
    with open("/dev/null", "wb") as sink:
        while True:
            query = urllib.parse.urlencode(
                {
                    "searchCriteria[pageSize]": page_size,
                    "searchCriteria[currentPage]": page,
                    "searchCriteria[sortOrders][0][field]": "entity_id",
                    "searchCriteria[sortOrders][0][direction]": "ASC",
                }
            )
            connection.request("GET", f"{parts.path}{path}?{query}", headers=headers)
            items = decode(connection.getresponse().read())["items"]
            for item in items:
                sink.write(encode(item))
            records += len(items)
            if len(items) < page_size:
                return records
            page += 1


if __name__ == "__main__":
    main()
