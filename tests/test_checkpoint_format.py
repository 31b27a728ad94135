"""The checkpoint format is the standard one: C2SP signed notes (checked against the Go
reference's published example) over RFC 6962 Merkle tree heads (checked against the
Certificate Transparency test vectors)."""

from __future__ import annotations

import pytest

from casework.merkle import leaf_hash, tree_root
from casework.signednote import NoteError, Signer, Verifier

# golang.org/x/mod/sumdb/note's documented example key and note
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
SIGNED = (
    TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_signed_notes_match_the_reference() -> None:
    signer = Signer.parse(SKEY)
    assert signer.sign(TEXT) == SIGNED
    assert signer.verifier().text() == VKEY
    assert Verifier.parse(VKEY).open(SIGNED) == TEXT
    assert Signer.parse(signer.private_text()).sign(TEXT) == SIGNED


def test_a_changed_note_or_another_key_is_refused() -> None:
    verifier = Verifier.parse(VKEY)
    with pytest.raises(NoteError, match="does not verify"):
        verifier.open(SIGNED.replace("problem is.", "problem is!"))
    other = Signer.generate("PeterNeumann")
    with pytest.raises(NoteError, match="no signature by the key"):
        verifier.open(other.sign(TEXT))


# RFC 6962 test vectors (certificate-transparency, merkle_tree_test): roots for sizes 1..8
LEAVES = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
          b"\x50\x51\x52\x53\x54\x55\x56\x57", bytes(range(0x60, 0x70))]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("size", range(1, 9))
def test_tree_heads_match_rfc_6962(size: int) -> None:
    assert tree_root(leaf_hash(x) for x in LEAVES[:size]).hex() == ROOTS[size - 1]


def test_the_empty_tree() -> None:
    assert tree_root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
