"""Neuron-to-neuron connectivity: rules that draw which pairs are connected, as
sorted (pre, post) index arrays — never an N×N matrix.

A rule is a description (no randomness of its own); ``pairs(n_pre, n_post, rng)``
draws the pairs with the given ``numpy.random.Generator`` and returns them sorted by
pre-synaptic neuron, then post-synaptic, ready for compressed sparse rows (CSR):
``indptr = row_pointers(pre, n_pre)``. Memory and time are proportional to the
number of synapses drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .nef.dists import check_rng
from .validation import _show, as_array, as_float, as_int


class Rule:
    """Base class of connection rules: ``pairs(n_pre, n_post, rng)``."""

    def pairs(self, n_pre: int, n_post: int, rng, same_group: bool = False
              ) -> tuple[np.ndarray, np.ndarray]:
        """Connected (pre, post) indices, int64 arrays sorted by (pre, post).
        ``same_group``: pre and post are one group, so i → i is a self-connection
        (left out unless the rule has ``allow_self=True``)."""
        n_pre = as_int("n_pre", n_pre, minimum=0)
        n_post = as_int("n_post", n_post, minimum=0)
        skip_self = same_group and not getattr(self, "allow_self", True)
        pre, post = self._pairs(n_pre, n_post, check_rng(rng), skip_self)
        return pre.astype(np.int64), post.astype(np.int64)

    def _pairs(self, n_pre, n_post, rng, skip_self):
        raise NotImplementedError


@dataclass(frozen=True)
class FixedProbability(Rule):
    """Each (pre, post) pair connected independently with probability ``p``
    (Brian2's ``connect(p=...)``, NEST's ``pairwise_bernoulli``); ``allow_self``
    decides whether neuron i may connect to itself when a group connects to itself.

    Drawn by geometric skips over each row: O(synapses), not O(n_pre n_post).
    """

    p: float
    allow_self: bool = False

    def __post_init__(self):
        p = as_float("p", self.p)
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p must be a probability in [0, 1], got {p!r}")
        object.__setattr__(self, "p", p)
        if not isinstance(self.allow_self, bool):
            raise TypeError(f"allow_self must be True or False, got "
                            f"{_show(self.allow_self)}")

    def _pairs(self, n_pre, n_post, rng, skip_self):
        if self.p == 0.0 or n_pre == 0 or n_post == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        expected = n_pre * n_post * self.p
        capacity = int(expected + 6.0 * np.sqrt(expected) + 64)
        state = rng.bit_generator.state
        while True:
            pre = np.empty(capacity, np.int64)
            post = np.empty(capacity, np.int64)
            count = _geometric_rows(rng, n_pre, n_post, self.p, skip_self, pre, post)
            if count >= 0:
                return pre[:count], post[:count]
            rng.bit_generator.state = state  # rewind: the same draws, more room
            capacity *= 2


@dataclass(frozen=True)
class FixedInDegree(Rule):
    """Every post-synaptic neuron gets exactly ``k`` distinct pre-synaptic neurons,
    drawn uniformly (NEST's ``fixed_indegree``; Brunel 2000's C_E and C_I)."""

    k: int
    allow_self: bool = False

    def __post_init__(self):
        object.__setattr__(self, "k", as_int("k", self.k, minimum=0))
        if not isinstance(self.allow_self, bool):
            raise TypeError(f"allow_self must be True or False, got "
                            f"{_show(self.allow_self)}")

    def _pairs(self, n_pre, n_post, rng, skip_self):
        available = n_pre - (1 if skip_self else 0)
        if self.k > available:
            raise ValueError(f"FixedInDegree k={self.k} exceeds the {available} "
                             "distinct pre-synaptic neurons available")
        if self.k == 0 or n_post == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        pre = np.empty(n_post * self.k, np.int64)
        _distinct_draws(rng, n_post, self.k, n_pre, skip_self, pre)
        post = np.repeat(np.arange(n_post, dtype=np.int64), self.k)
        order = np.lexsort((post, pre))
        return pre[order], post[order]


@dataclass(frozen=True)
class OneToOne(Rule):
    """Neuron i to neuron i (the groups must have the same size)."""

    def _pairs(self, n_pre, n_post, rng, skip_self):
        if n_pre != n_post:
            raise ValueError(f"OneToOne needs groups of the same size, got {n_pre} "
                             f"and {n_post}")
        ids = np.arange(n_pre, dtype=np.int64)
        return ids, ids.copy()


@dataclass(frozen=True)
class AllToAll(Rule):
    """Every pre to every post neuron (n_pre n_post synapses); ``allow_self`` as
    for ``FixedProbability``."""

    allow_self: bool = False

    def _pairs(self, n_pre, n_post, rng, skip_self):
        pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
        post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
        if skip_self:
            keep = pre != post
            return pre[keep], post[keep]
        return pre, post


@dataclass(frozen=True, eq=False)
class Explicit(Rule):
    """Given pairs: ``pre`` and ``post`` index arrays of equal length (any order;
    duplicates allowed, as multiple synapses)."""

    pre: np.ndarray
    post: np.ndarray

    def __post_init__(self):
        pre = _as_indices("pre", self.pre)
        post = _as_indices("post", self.post)
        if pre.shape != post.shape:
            raise ValueError(f"pre and post must have the same length, got "
                             f"{pre.size} and {post.size}")
        object.__setattr__(self, "pre", pre)
        object.__setattr__(self, "post", post)

    def order(self) -> np.ndarray:
        """The permutation that sorts the given pairs by (pre, post) (stable), so
        per-synapse weights and delays given in the same order follow them."""
        return np.lexsort((self.post, self.pre))

    def _pairs(self, n_pre, n_post, rng, skip_self):
        for name, ids, n in (("pre", self.pre, n_pre), ("post", self.post, n_post)):
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                bad = ids[(ids < 0) | (ids >= n)][0]
                raise ValueError(f"Explicit {name} index {bad} is outside the group "
                                 f"of {n} neurons")
        order = self.order()
        return self.pre[order], self.post[order]


def _as_indices(name: str, value) -> np.ndarray:
    """``value`` as a 1-D int64 array of neuron indices; fractional values are
    refused (casting would silently truncate 1.5 to neuron 1)."""
    arr = np.asarray(value)
    if arr.dtype.kind == "b":
        raise TypeError(f"Explicit {name} must be neuron indices, got booleans "
                        f"{_show(value)} (use np.flatnonzero(mask) for a mask)")
    if arr.dtype.kind in "iu":
        return as_array(name, arr, ndim=1, dtype=np.int64)
    arr = as_array(name, value, ndim=1)
    huge = np.abs(arr) >= 2.0 ** 62
    if np.any(huge):
        raise ValueError(f"Explicit {name} index {float(arr[huge][0])!r} is not a "
                         "neuron index of any group")
    fractional = arr != np.round(arr)
    if np.any(fractional):
        at = int(np.flatnonzero(fractional)[0])
        raise ValueError(f"Explicit {name} indices must be whole neuron indices, got "
                         f"{float(arr[at])!r} at position {at}")
    return arr.astype(np.int64)


def row_pointers(pre: np.ndarray, n_pre: int) -> np.ndarray:
    """CSR row pointers (n_pre + 1,) of ``pre`` indices sorted ascending."""
    return np.searchsorted(pre, np.arange(n_pre + 1)).astype(np.int64)


@njit(cache=True)
def _geometric_rows(rng, n_pre, n_post, p, skip_self, pre, post):
    """Fill ``pre``/``post`` row by row with gaps ~ Geometric(p); returns the count,
    or -1 when the buffers are too small."""
    count = 0
    cap = pre.shape[0]
    for i in range(n_pre):
        j = -1
        while True:
            j += rng.geometric(p) if p < 1.0 else 1
            if j >= n_post:
                break
            if skip_self and j == i:
                continue
            if count == cap:
                return -1
            pre[count] = i
            post[count] = j
            count += 1
    return count


@njit(cache=True)
def _distinct_draws(rng, n_post, k, n_pre, skip_self, out):
    """For each post neuron, ``k`` distinct pre indices (Floyd's algorithm), into
    ``out`` (n_post * k,)."""
    chosen = np.zeros(n_pre, np.bool_)
    pool = n_pre - 1 if skip_self else n_pre
    for j in range(n_post):
        base = j * k
        for q in range(pool - k, pool):
            r = rng.integers(0, q + 1)
            pick = q if chosen[_lift(r, j, skip_self)] else r
            value = _lift(pick, j, skip_self)
            chosen[value] = True
            out[base] = value
            base += 1
        for q in range(j * k, j * k + k):
            chosen[out[q]] = False


@njit(cache=True, inline="always")
def _lift(r, j, skip_self):
    """Index ``r`` of the pool that leaves out ``j`` (when ``skip_self``)."""
    return r + 1 if skip_self and r >= j else r

