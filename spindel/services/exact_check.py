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
import math
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


def _normalised(row: dict) -> dict:
    """Divide an integer row by the gcd of its entries (keeps the numbers small)."""
    divisor = math.gcd(*row.values()) if row else 1
    if divisor > 1:
        return {c: v // divisor for c, v in row.items()}
    return row


def _eliminate(row: dict, pivot_row: dict, pivot) -> dict:
    """row·p − f·pivot_row, with p the pivot row's entry and f the row's entry in the pivot
    column: the integer combination with a zero there (then made small again by the gcd)."""
    factor, scale = row[pivot], pivot_row[pivot]
    merged = {c: v * scale for c, v in row.items()}
    for c, v in pivot_row.items():
        new = merged.get(c, 0) - factor * v
        if new:
            merged[c] = new
        else:
            merged.pop(c, None)
    return _normalised(merged)


class Basis:
    """The row space of 0/1 rows in reduced row echelon form, kept exactly in integers
    (fraction-free: each pivot row is an integer multiple of the reduced row, which has zeros
    in every other pivot column). Rows can be added one at a time."""

    def __init__(self, rows: Iterable[Iterable] = (), key=repr):
        self.pivots: dict = {}  # pivot column -> integer row (column -> int)
        self.key = key
        for row in rows:
            self.add(row)

    def copy(self) -> Basis:
        other = Basis(key=self.key)
        other.pivots = dict(self.pivots)  # rows are replaced, never changed in place
        return other

    def _reduce(self, row: dict) -> dict:
        for pivot, pivot_row in self.pivots.items():
            if row.get(pivot):
                row = _eliminate(row, pivot_row, pivot)
        return row

    def add(self, columns: Iterable) -> None:
        row = self._reduce(dict.fromkeys(columns, 1))
        if not row:
            return
        pivot = min(row, key=self.key)
        if row[pivot] < 0:
            row = {c: -v for c, v in row.items()}
        for other, other_row in list(self.pivots.items()):  # zero above the new pivot
            if other_row.get(pivot):
                merged = _eliminate(other_row, row, pivot)
                if merged[other] < 0:
                    merged = {c: -v for c, v in merged.items()}
                self.pivots[other] = merged
        self.pivots[pivot] = row

    def contains(self, target: Iterable) -> bool:
        """Whether the sum over `target` is a linear combination of the rows (exact)."""
        return not self._reduce(dict.fromkeys(target, 1))


def in_row_space(cells: Sequence[Iterable[Atom]], target: Iterable[Atom]) -> bool:
    """Whether the sum over `target` is a linear combination of the cells' sums (exact)."""
    return Basis(cells).contains(target)


# Large primes for the fast projection; a projection is exact modulo one of them, and every
# candidate it finds is confirmed in exact rationals.
PRIMES = (2**61 - 1, 2**89 - 1, 2**107 - 1, 2**127 - 1)


class Signatures:
    """Each column's coordinates in a basis of the null space of a 0/1 matrix."""

    def __init__(self, rows: Sequence[Iterable[int]], columns: int):
        self.pivots = Basis(rows, key=None).pivots
        self.columns = columns

    def of(self, column: int) -> dict[int, Fraction]:
        """Sparse signature: free column f -> coordinate. The null vector for a free column f
        has x_f = 1 and x_p = −R_p[f] / R_p[p] for each pivot p, so a pivot column's
        coordinates are its row's negated entries over the pivot, and a free column's is the
        unit vector."""
        row = self.pivots.get(column)
        if row is None:
            return {column: Fraction(1)}
        scale = row[column]
        return {c: Fraction(-v, scale) for c, v in row.items() if c != column}

    def derivable(self, columns: Iterable[int]) -> bool:
        """Whether the sum over these columns follows from the rows (signatures add to 0)."""
        total: dict[int, Fraction] = defaultdict(Fraction)
        for column in columns:
            for c, v in self.of(column).items():
                total[c] += v
        return not any(total.values())

    def projection(self, rng: random.Random) -> list[int]:
        """Each column's signature dotted with one random integer vector, modulo a large
        prime: a set whose signatures add to zero always projects to zero, so candidates
        found this way miss nothing, and each is confirmed exactly."""
        prime = next(p for p in PRIMES
                     if all(row[c] % p for c, row in self.pivots.items()))
        weights = {c: rng.randrange(1, prime) for c in range(self.columns)
                   if c not in self.pivots}
        out = []
        for column in range(self.columns):
            row = self.pivots.get(column)
            if row is None:
                out.append(weights[column])
                continue
            total = -sum(v * weights[c] for c, v in row.items() if c != column)
            out.append(total * pow(row[column], -1, prime) % prime)
        return out, prime


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
    h, prime = signatures.projection(random.Random(0x5EED))
    limit = k - 1
    half = (limit + 1) // 2
    halves: list[tuple[tuple[int, ...], int, int]] = []
    for count in range(1, half + 1):
        for combo in itertools.combinations(small, count):
            total = sum(size[c] for c in combo)
            if total <= limit:
                halves.append((combo, total, sum(h[c] for c in combo) % prime))
                if len(halves) > MAX_HALF_SETS:
                    raise SearchTooLarge(len(halves))
    by_value: dict[int, list[tuple[tuple[int, ...], int]]] = defaultdict(list)
    for combo, total, value in halves:
        by_value[value].append((combo, total))
    for combo, total, value in halves:
        if value == 0 and signatures.derivable(combo):
            return combo
        for other, other_total in by_value.get(-value % prime, ()):
            if other[0] > combo[-1] and total + other_total <= limit and \
                    len(other) <= len(combo):
                candidate = combo + other
                if signatures.derivable(candidate):
                    return candidate
    return None
