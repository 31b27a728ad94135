"""The exact row space behind the suppression checks (casework.reports.linear), against numpy's
rank on generated systems: spanned exactly when numpy says so, and every witness recombines
the original equations into the target exactly (ints where whole, Fractions where not)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from casework.reports.linear import RowSpace

VARS = "abcdefgh"
row = st.dictionaries(st.sampled_from(VARS), st.integers(-3, 3), min_size=1, max_size=4)


def _matrix(rows: list[dict[str, int]]) -> np.ndarray:
    return np.array([[r.get(v, 0) for v in VARS] for r in rows], dtype=float).reshape(-1, len(VARS))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(row, max_size=8), row)
def test_span_and_witness_are_exact(rows: list[dict[str, int]], target: dict[str, int]) -> None:
    space: RowSpace[str] = RowSpace(rows)
    a = _matrix(rows)
    rank = int(np.linalg.matrix_rank(a)) if rows else 0
    assert space.rank == rank
    spanned = int(np.linalg.matrix_rank(np.vstack([a, _matrix([target])]))) == rank
    witness = space.witness(target)
    assert (witness is not None) == spanned
    if witness is not None:
        combined = {v: Fraction(0) for v in VARS}
        for i, factor in witness.items():
            for v, c in rows[i].items():
                combined[v] += Fraction(factor) * c
        assert all(combined[v] == target.get(v, 0) for v in VARS)


def test_fractions_where_the_coefficients_need_them() -> None:
    space: RowSpace[str] = RowSpace([{"a": 2, "b": 3}, {"b": 2}])
    witness = space.witness({"a": 1})
    assert witness == {0: Fraction(1, 2), 1: Fraction(-3, 4)}
    assert space.witness({"c": 1}) is None
