"""The one suppression rule: which groups of a breakdown may show numbers.

Every output that shows numbers per group (results pages, API, exports, presentation, monitor)
calls `suppressed_keys`, so a group hidden in one place is hidden in all of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

from ..models import Project

K = TypeVar("K", bound=Hashable)

ABSOLUTE_MIN_GROUP_SIZE = 3  # below three, a group's answers point to a person
DEFAULT_MIN_GROUP_SIZE = 5


def min_group_size(project: Project) -> int:
    """The project's k: groups with fewer responses are hidden. Never below 3."""
    k = project.min_group_size or DEFAULT_MIN_GROUP_SIZE
    return max(ABSOLUTE_MIN_GROUP_SIZE, k)


def suppressed_keys(counts: Mapping[K, int], k: int) -> set[K]:
    """The groups of one breakdown (key -> number of responses) that must not be shown.

    A group with fewer than k responses is hidden (an empty group too: it has no numbers and
    its count of 0 is not shown either). The total of a breakdown is always visible, so when
    exactly one non-empty group is hidden its numbers would follow by subtraction; then the
    smallest other non-empty group is hidden as well (the first in order on a tie).
    """
    k = max(ABSOLUTE_MIN_GROUP_SIZE, k)
    hidden = {key for key, n in counts.items() if n < k}
    if sum(1 for key in hidden if counts[key] > 0) == 1:
        others = [key for key, n in counts.items() if key not in hidden and n > 0]
        if others:
            hidden.add(min(others, key=lambda key: counts[key]))
    return hidden
