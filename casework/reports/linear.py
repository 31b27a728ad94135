"""Which hidden figures can be worked out from what a release shows: exact linear algebra.

A reader who sees some figures of a report and knows how they relate (U + T =
total, the months add up to the year, the reasons add up to the denials) can
solve for a hidden figure exactly when that figure, as a vector over the
unknowns, lies in the row space of the equations they know. :class:`RowSpace`
keeps those equations in reduced row echelon form over exact fractions (no
floating-point tolerance to argue about) and, for a vector in the span, says
which original equations combine to give it: the *witness*, from which the
suppression picks a further figure to hide.

The systems are small and sparse (a report has a few hundred figures, each in
two or three equations), so rows are dictionaries.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
Vector = dict[K, Fraction]


def _axpy(target: dict[K, Fraction], factor: Fraction, row: Mapping[K, Fraction]) -> None:
    """``target += factor * row``, dropping entries that become zero."""
    for key, value in row.items():
        new = target.get(key, Fraction(0)) + factor * value
        if new:
            target[key] = new
        else:
            target.pop(key, None)


class RowSpace(Generic[K]):
    """The span of some equations (rows), with the provenance of every reduced row."""

    def __init__(
        self, rows: Iterable[Mapping[K, int | Fraction]] = (), *, last: K | None = None
    ) -> None:
        # pivot variable -> (row with 1 at the pivot and no other pivot, its provenance)
        self._rows: dict[K, tuple[Vector[K], dict[int, Fraction]]] = {}
        self._holding: dict[K, set[K]] = {}  # variable -> pivots whose row mentions it
        self._count = 0
        #: A variable never made a pivot while its row has another (the constant term of
        #: equations with values: it becomes a pivot only for an equation "0 = c").
        self._last = last
        for row in rows:
            self.add(row)

    def copy(self) -> RowSpace[K]:
        other: RowSpace[K] = RowSpace(last=self._last)
        other._rows = {k: (dict(r), dict(p)) for k, (r, p) in self._rows.items()}
        other._holding = {k: set(v) for k, v in self._holding.items()}
        other._count = self._count
        return other

    def add(self, row: Mapping[K, int | Fraction]) -> int:
        """Add an equation; returns its index (for witnesses)."""
        index = self._count
        self._count += 1
        vec: Vector[K] = {k: Fraction(v) for k, v in row.items() if v}
        prov: dict[int, Fraction] = {index: Fraction(1)}
        self._reduce(vec, prov)
        if not vec:
            return index  # already in the span
        pivot = min(vec, key=lambda k: (k == self._last, repr(k)))
        scale = 1 / vec[pivot]
        vec = {k: v * scale for k, v in vec.items()}
        prov = {k: v * scale for k, v in prov.items()}
        # Back-substitute: no other row may mention the new pivot.
        for other in list(self._holding.get(pivot, ())):
            orow, oprov = self._rows[other]
            factor = -orow[pivot]
            for key in orow:
                self._holding.get(key, set()).discard(other)
            _axpy(orow, factor, vec)
            _axpy(oprov, factor, prov)
            for key in orow:
                self._holding.setdefault(key, set()).add(other)
        self._rows[pivot] = (vec, prov)
        for key in vec:
            self._holding.setdefault(key, set()).add(pivot)
        return index

    def _reduce(self, vec: Vector[K], prov: dict[int, Fraction]) -> None:
        for key in [k for k in vec if k in self._rows]:
            factor = vec.get(key)
            if factor:
                row, rprov = self._rows[key]
                _axpy(vec, -factor, row)
                _axpy(prov, -factor, rprov)

    def witness(self, target: Mapping[K, int | Fraction]) -> dict[int, Fraction] | None:
        """The equations combining to ``target`` (index -> factor), or None if it is not in the span."""
        vec: Vector[K] = {k: Fraction(v) for k, v in target.items() if v}
        prov: dict[int, Fraction] = {}
        self._reduce(vec, prov)
        if vec:
            return None
        return {i: -f for i, f in prov.items() if f}

    def spans(self, target: Mapping[K, int | Fraction]) -> bool:
        return self.witness(target) is not None

    def witness_up_to_constant(
        self, target: Mapping[K, int | Fraction]
    ) -> dict[int, Fraction] | None:
        """Like :meth:`witness`, for a space whose equations carry a constant term (the
        ``last`` variable): ``target`` is determined when it reduces to a constant alone."""
        vec: Vector[K] = {k: Fraction(v) for k, v in target.items() if v}
        prov: dict[int, Fraction] = {}
        self._reduce(vec, prov)
        if any(k != self._last for k in vec):
            return None
        return {i: -f for i, f in prov.items() if f}

    @property
    def rank(self) -> int:
        return len(self._rows)
