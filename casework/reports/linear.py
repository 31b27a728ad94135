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
#: Exact numbers: an ``int`` wherever the value is whole (nearly always: the equations have
#: coefficients of 1 and -1), a ``Fraction`` only where it is not. Integer arithmetic is
#: several times faster than Fraction's, and exact all the same.
Number = int | Fraction
Vector = dict[K, Number]


def _whole(value: Number) -> Number:
    """A Fraction with denominator 1 as the int it is."""
    if type(value) is Fraction and value.denominator == 1:
        return value.numerator
    return value


def _axpy(target: dict[K, Number], factor: Number, row: Mapping[K, Number]) -> None:
    """``target += factor * row``, dropping entries that become zero."""
    get = target.get
    for key, value in row.items():
        new = get(key, 0) + factor * value
        if new:
            target[key] = _whole(new)
        else:
            target.pop(key, None)


def _inverse(value: Number) -> Number:
    return value if value in (1, -1) else _whole(Fraction(1) / value)


class RowSpace(Generic[K]):
    """The span of some equations (rows), with the provenance of every reduced row."""

    def __init__(
        self, rows: Iterable[Mapping[K, int | Fraction]] = (), *, last: K | None = None
    ) -> None:
        # pivot variable -> (row with 1 at the pivot and no other pivot, its provenance)
        self._rows: dict[K, tuple[Vector[K], dict[int, Number]]] = {}
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
        vec: Vector[K] = {k: _whole(v) for k, v in row.items() if v}
        prov: dict[int, Number] = {index: 1}
        self._reduce(vec, prov)
        if not vec:
            return index  # already in the span
        pivot = min(vec, key=lambda k: (k == self._last, repr(k)))
        scale = _inverse(vec[pivot])
        if scale != 1:
            vec = {k: _whole(v * scale) for k, v in vec.items()}
            prov = {k: _whole(v * scale) for k, v in prov.items()}
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

    def _reduce(self, vec: Vector[K], prov: dict[int, Number]) -> None:
        for key in [k for k in vec if k in self._rows]:
            factor = vec.get(key)
            if factor:
                row, rprov = self._rows[key]
                _axpy(vec, -factor, row)
                _axpy(prov, -factor, rprov)

    def witness(self, target: Mapping[K, int | Fraction]) -> dict[int, Number] | None:
        """The equations combining to ``target`` (index -> factor), or None if it is not in the span."""
        vec: Vector[K] = {k: _whole(v) for k, v in target.items() if v}
        prov: dict[int, Number] = {}
        self._reduce(vec, prov)
        if vec:
            return None
        return {i: -f for i, f in prov.items() if f}

    def spans(self, target: Mapping[K, int | Fraction]) -> bool:
        return self.witness(target) is not None

    def witness_up_to_constant(
        self, target: Mapping[K, int | Fraction]
    ) -> dict[int, Number] | None:
        """Like :meth:`witness`, for a space whose equations carry a constant term (the
        ``last`` variable): ``target`` is determined when it reduces to a constant alone."""
        vec: Vector[K] = {k: _whole(v) for k, v in target.items() if v}
        prov: dict[int, Number] = {}
        self._reduce(vec, prov)
        if any(k != self._last for k in vec):
            return None
        return {i: -f for i, f in prov.items() if f}

    @property
    def rank(self) -> int:
        return len(self._rows)
