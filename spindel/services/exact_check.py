"""The exact check of disclosure.md §6: can the sum of a small group follow from published sums?

Pure arithmetic, free of the database. The input is a list of published cells, each a set of
*atoms* (the finest pieces of a round: one profession × district between two releases), and
each atom's size (its number of ratings). A set of atoms with 1 to k−1 ratings in total is
disclosed when its indicator vector lies in the row space of the cells' 0/1 matrix, i.e. its
sum is a linear combination of published sums. Equivalently, with a basis of the matrix's
null space, the atoms' signatures (their coordinates in that basis) add up to zero.

Everything is exact: the null space comes from a reduced row echelon form over the rationals
(`fractions.Fraction`). The search over sets uses a random rational projection of the
signatures only to find candidates fast (meet in the middle); every candidate is confirmed
with the exact signatures, and a set whose signatures add up to zero always projects to zero,
so nothing is missed.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction

Atom = Hashable

# Sets of up to ⌈(k−1)/2⌉ small atoms are enumerated on each side of the meet in the middle.
# Beyond this many, the search gives up and says so (callers then hide, which is always safe).
MAX_HALF_SETS = 400_000


class SearchTooLarge(Exception):
    """The meet-in-the-middle search would enumerate more than MAX_HALF_SETS sets."""


def _reduce(row: dict, pivots: dict[Hashable, dict]) -> dict:
    """The row minus its components along the pivot rows (in place); empty when it lies in
    their span."""
    for pivot, pivot_row in pivots.items():
        factor = row.get(pivot)
        if factor:
            for c, v in pivot_row.items():
                new = row.get(c, 0) - factor * v
                if new:
                    row[c] = new
                else:
                    row.pop(c, None)
    return row


def in_row_space(cells: Sequence[Iterable[Atom]], target: Iterable[Atom]) -> bool:
    """Whether the sum over `target` is a linear combination of the cells' sums (exact)."""
    pivots = _rref([list(cell) for cell in cells], key=repr)
    return not _reduce({a: Fraction(1) for a in target}, pivots)


def _rref(rows: Sequence[Iterable], key=None) -> dict:
    """Reduced row echelon form of a 0/1 matrix given as column sets: pivot column -> row
    (a sparse dict column -> value, the pivot entry 1, zero in every other pivot column)."""
    pivots: dict = {}
    for columns in rows:
        row = _reduce({c: Fraction(1) for c in columns}, pivots)
        if not row:
            continue
        pivot = min(row, key=key)
        scale = row[pivot]
        if scale != 1:
            row = {c: v / scale for c, v in row.items()}
        for other in pivots.values():  # keep the form reduced: zero above the new pivot
            factor = other.get(pivot)
            if factor:
                for c, v in row.items():
                    new = other.get(c, 0) - factor * v
                    if new:
                        other[c] = new
                    else:
                        other.pop(c, None)
        pivots[pivot] = row
    return pivots


class Signatures:
    """Each column's coordinates in a basis of the null space of a 0/1 matrix."""

    def __init__(self, rows: Sequence[Iterable[int]], columns: int):
        self.pivots = _rref(rows)
        self.columns = columns

    def of(self, column: int) -> dict[int, Fraction]:
        """Sparse signature: free column f -> coordinate. Null vector for a free column f has
        x_f = 1 and x_p = −R_p[f] for each pivot p, so a pivot column's coordinates are the
        negated entries of its row, and a free column's is the unit vector."""
        row = self.pivots.get(column)
        if row is None:
            return {column: Fraction(1)}
        return {c: -v for c, v in row.items() if c != column}

    def derivable(self, columns: Iterable[int]) -> bool:
        """Whether the sum over these columns follows from the rows (signatures add to 0)."""
        total: dict[int, Fraction] = defaultdict(Fraction)
        for column in columns:
            for c, v in self.of(column).items():
                total[c] += v
        return not any(total.values())

    def projection(self, rng: random.Random) -> list[Fraction]:
        """Each column's signature dotted with one random integer vector (exact rationals)."""
        weights = {c: rng.randrange(1, 2**61) for c in range(self.columns)
                   if c not in self.pivots}
        return [sum((v * weights[c] for c, v in self.of(column).items()), Fraction(0))
                for column in range(self.columns)]


def find_disclosure(cells: Sequence[Iterable[Atom]], sizes: Mapping[Atom, int],
                    k: int) -> frozenset | None:
    """A set of atoms with 1 to k−1 ratings in total whose sum follows from the cells' sums,
    or None. Atoms of size 0 hold nothing to disclose and are treated as known to be empty
    (the cautious assumption). Raises SearchTooLarge when the search space is too big."""
    atoms = sorted((a for a, n in sizes.items() if n), key=repr)
    cell_sets = [frozenset(cell) for cell in cells]
    # Atoms in exactly the same cells can only be derived together: merge them (exact, and it
    # makes the matrix narrower).
    by_cells: dict[tuple[int, ...], list] = defaultdict(list)
    for atom in atoms:
        by_cells[tuple(i for i, cell in enumerate(cell_sets) if atom in cell)].append(atom)
    merged = list(by_cells.values())
    size = [sum(abs(sizes[a]) for a in group) for group in merged]
    column_of = {}
    for index, group in enumerate(merged):
        for atom in group:
            column_of[atom] = index
    rows = [{column_of[a] for a in cell if a in column_of} for cell in cell_sets]
    signatures = Signatures(rows, len(merged))
    small = [c for c in range(len(merged)) if 0 < size[c] < k]
    if not small:
        return None
    found = _search(signatures, small, size, k)
    if found is None:
        return None
    return frozenset(a for c in found for a in merged[c])


def _search(signatures: Signatures, small: list[int], size: list[int],
            k: int) -> tuple[int, ...] | None:
    """Meet in the middle over sets of small columns with total size ≤ k−1: each set splits
    into its first ⌈m/2⌉ columns (in index order) and the rest, both enumerated once."""
    h = signatures.projection(random.Random(0x5EED))
    limit = k - 1
    half = (limit + 1) // 2
    halves: list[tuple[tuple[int, ...], int, Fraction]] = []
    for count in range(1, half + 1):
        for combo in itertools.combinations(small, count):
            total = sum(size[c] for c in combo)
            if total <= limit:
                halves.append((combo, total, sum((h[c] for c in combo), Fraction(0))))
                if len(halves) > MAX_HALF_SETS:
                    raise SearchTooLarge(len(halves))
    by_value: dict[Fraction, list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for combo, total, value in halves:
        by_value[value].append((combo, total))
    for combo, total, value in halves:
        if value == 0 and signatures.derivable(combo):
            return combo
        for other, other_total in by_value.get(-value, ()):
            if other[0] > combo[-1] and total + other_total <= limit and \
                    len(other) <= len(combo):
                candidate = combo + other
                if signatures.derivable(candidate):
                    return candidate
    return None
