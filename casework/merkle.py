"""The Merkle tree head of RFC 6962 (as Certificate Transparency and Go's checksum
database use): what a checkpoint signs over the ledger's leaves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def tree_root(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over the given leaf hashes, in one pass with a stack of complete subtrees."""
    sha = hashlib.sha256
    stack: list[tuple[int, bytes]] = []  # (height, hash), heights strictly decreasing
    for node in leaf_hashes:
        height = 0
        while stack and stack[-1][0] == height:
            node = sha(b"\x01" + stack.pop()[1] + node).digest()
            height += 1
        stack.append((height, node))
    if not stack:
        return sha(b"").digest()
    root = stack.pop()[1]
    while stack:
        root = sha(b"\x01" + stack.pop()[1] + root).digest()
    return root
