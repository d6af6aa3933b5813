"""Exact steps of neuron models whose equations are linear: dx/dt = A x + g I + f.

Over a (sub-)step of length h the input I(t) is the quadratic through its values
at the start, middle and end (constant without synaptic channels, when the step is
exact to rounding). The state and the input's Taylor coefficients form one
autonomous linear system,

    d/dt [x, u0, u1, u2, 1] = M [x, u0, u1, u2, 1],   u0 = I(t), u0' = u1, u1' = u2,

so that y(h) = expm(M h) y(0). ``linear_structure`` finds A, g and f of a model by
evaluating its right-hand side (exactly affine, or not linear at all);
``propagator`` builds M; ``expm`` is a scaling-and-squaring Taylor exponential for
these small matrices.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Random points the affinity of a right-hand side is tested at.
_PROBES = 8
#: Relative agreement an affine right-hand side keeps at those points.
_AFFINE_RTOL = 1e-9


def linear_structure(rhs, n_states: int, scale: np.ndarray):
    """(A (m, m), g (m,), f (m,)) with rhs(x, I) = A x + g I + f, or None when
    ``rhs`` (a Python function of the state vector and the input) is not affine.
    ``scale`` (m,) sets the size of the probe points of each state."""
    try:
        f = np.asarray(rhs(np.zeros(n_states), 0.0), dtype=float)
        g = np.asarray(rhs(np.zeros(n_states), 1.0), dtype=float) - f
        A = np.column_stack([np.asarray(rhs(np.eye(n_states)[j], 0.0)) - f
                             for j in range(n_states)]) if n_states else \
            np.zeros((0, 0))
        rng = np.random.default_rng(0)
        for _ in range(_PROBES):
            x = rng.normal(size=n_states) * scale
            current = float(rng.normal() * 10.0)
            got = np.asarray(rhs(x, current), dtype=float)
            want = A @ x + g * current + f
            size = np.abs(A) @ np.abs(x) + np.abs(g * current) + np.abs(f) + 1e-300
            if not np.all(np.abs(got - want) <= _AFFINE_RTOL * size):
                return None
    except (ArithmeticError, ValueError):
        return None
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(g)) and
            np.all(np.isfinite(f))):
        return None
    return A, g, f


@njit(cache=True, error_model="numpy")
def propagator(A, g, f, frozen: bool):
    """M (m + 4, m + 4) of the module docstring; ``frozen`` holds x0 (its row 0)."""
    m = A.shape[0]
    M = np.zeros((m + 4, m + 4))
    for r in range(m):
        if frozen and r == 0:
            continue
        for c in range(m):
            M[r, c] = A[r, c]
        M[r, m] = g[r]
        M[r, m + 3] = f[r]
    M[m, m + 1] = 1.0
    M[m + 1, m + 2] = 1.0
    return M


@njit(cache=True, error_model="numpy")
def expm(M, h):
    """exp(M h) by scaling and squaring of a Taylor series (the scaled norm at most
    1/2), summed until a term no longer changes the sum (at most 18 terms:
    truncation below 1e-22)."""
    n = M.shape[0]
    norm = 0.0
    for r in range(n):
        row = 0.0
        for c in range(n):
            row += abs(M[r, c])
        norm = max(norm, row)
    norm *= abs(h)
    squarings = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 else 0
    X = M * (h / 2.0 ** squarings)
    E = np.eye(n)
    term = np.eye(n)
    work = np.empty((n, n))
    for k in range(1, 19):
        _matmul(term, X, work)
        for r in range(n):
            for c in range(n):
                term[r, c] = work[r, c] / k
                E[r, c] += term[r, c]
        if _negligible(term, E):
            break
    for _ in range(squarings):
        _matmul(E, E, work)
        E[:, :] = work
    return E


@njit(cache=True, error_model="numpy", inline="always")
def _negligible(term, E):
    """Whether every entry of ``term`` is below rounding of ``E``'s."""
    n = E.shape[0]
    for r in range(n):
        for c in range(n):
            if abs(term[r, c]) > 1e-17 * abs(E[r, c]) and term[r, c] != 0.0:
                return False
    return True


@njit(cache=True, error_model="numpy", inline="always")
def _matmul(a, b, out):
    """out = a @ b in loops of fixed order (no BLAS: the same bits on every
    machine)."""
    n = a.shape[0]
    for r in range(n):
        for c in range(n):
            out[r, c] = 0.0
        for k in range(n):
            x = a[r, k]
            if x != 0.0:
                for c in range(n):
                    out[r, c] += x * b[k, c]
