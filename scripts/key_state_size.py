"""How big deletion detection's STATE gets: a key set of N ids with a share deleted at random.

    python scripts/key_state_size.py --keys 1000000 --deleted 0.01

Prints the ranges the remaining keys make, the bytes they take in STATE (as JSON), and how long
finding the deleted keys takes, against the bound (``MAX_KEY_RANGES``).
"""

from __future__ import annotations

import argparse
import json
import random
import time

from tap_magento.deletions import MAX_KEY_RANGES, KeyRanges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--deleted", type=float, default=0.01, help="share of keys deleted")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    keys = range(1, args.keys + 1)
    gone = set(random.Random(args.seed).sample(keys, int(args.keys * args.deleted)))
    before = KeyRanges.of(keys)
    after = KeyRanges.of(key for key in keys if key not in gone)
    started = time.perf_counter()
    found = sum(1 for _ in before.missing_from(after))
    elapsed = time.perf_counter() - started
    size = len(json.dumps(after.to_state(), separators=(",", ":")))
    print(f"{args.keys:,} keys, {len(gone):,} deleted at random: {len(after):,} ranges "
          f"(bound {MAX_KEY_RANGES:,}), {size / 1024:.0f} KiB in STATE; "
          f"{found:,} deleted keys found in {elapsed * 1000:.0f} ms")  # fmt: skip
    before_size = len(json.dumps(before.to_state(), separators=(",", ":")))
    print(f"before the deletions: {len(before):,} range, {before_size} bytes")


if __name__ == "__main__":
    main()
