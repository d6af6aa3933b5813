"""Rooted trees and the Runge–Kutta order conditions they define (Butcher's theory).

A tree is a sorted tuple of its root's subtrees; the single node is ``()``. A method
with coefficients ``(A, b)`` has order p when ``b · Φ(t) = 1 / γ(t)`` for every tree
with at most p nodes, where ``Φ(t)`` are the elementary weights per stage.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations_with_replacement
from math import prod

import numpy as np


@cache
def trees_of_order(n: int) -> tuple[tuple, ...]:
    """All rooted trees with exactly ``n`` nodes (1, 1, 2, 4, 9, 20, ... of them)."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if n == 1:
        return ((),)
    smaller = [t for k in range(1, n) for t in trees_of_order(k)]
    found = set()
    for n_children in range(1, n):
        for children in combinations_with_replacement(smaller, n_children):
            if sum(tree_order(c) for c in children) == n - 1:
                found.add(tuple(sorted(children)))
    return tuple(sorted(found, key=repr))


@cache
def tree_order(tree: tuple) -> int:
    """Number of nodes of ``tree``."""
    return 1 + sum(tree_order(c) for c in tree)


@cache
def tree_density(tree: tuple) -> int:
    """The density γ(t): the tree's order times the densities of its subtrees."""
    return tree_order(tree) * prod(tree_density(c) for c in tree)


def elementary_weights(A: np.ndarray, tree: tuple) -> np.ndarray:
    """Φ(t) per stage, shape (s,): product over subtrees u of ``A @ Φ(u)``."""
    phi = np.ones(A.shape[0])
    for child in tree:
        phi = phi * (A @ elementary_weights(A, child))
    return phi


def order_residuals(A: np.ndarray, b: np.ndarray, max_order: int) -> dict[int, float]:
    """Largest |b · Φ(t) − 1/γ(t)| over the trees of each order 1..``max_order``."""
    return {
        p: max(abs(float(b @ elementary_weights(A, t)) - 1.0 / tree_density(t))
               for t in trees_of_order(p))
        for p in range(1, max_order + 1)
    }


def continuous_order_residuals(A: np.ndarray, dense: np.ndarray, max_order: int,
                               thetas=np.linspace(0.05, 1.0, 20)) -> dict[int, float]:
    """Order residuals of a continuous extension ``b_i(θ) = Σ_j dense[i, j] θ^(j+1)``.

    The conditions are ``b(θ) · Φ(t) = θ^|t| / γ(t)`` for every θ in ``thetas``.
    """
    powers = np.arange(1, dense.shape[1] + 1)
    out = {}
    for p in range(1, max_order + 1):
        worst = 0.0
        for t in trees_of_order(p):
            phi = elementary_weights(A, t)
            for theta in thetas:
                b_theta = dense @ theta ** powers
                worst = max(worst, abs(float(b_theta @ phi) - theta ** p
                                       / tree_density(t)))
        out[p] = worst
    return out
