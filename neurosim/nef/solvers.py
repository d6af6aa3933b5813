"""Least-squares decoder solvers: ``solver(A, Y, rng) -> (D, info)``.

``A`` (P, N) holds the activities (Hz) of N neurons at P evaluation points and ``Y``
(P, L) the target values there; ``D`` (N, L) minimises ``|A D - Y|`` (with the
solver's regularisation). ``info["rmse"]`` is the RMS error of ``A D`` on those
points and ``info["rmses"]`` the same per output dimension.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import scipy.optimize
from numba import njit, prange

from ..validation import _show, as_array, as_float


def _checked(A, Y):
    A = as_array("A", A, ndim=2)
    Y = as_array("Y", Y)
    if Y.ndim == 1:
        Y = Y[:, None]
    if Y.ndim != 2 or Y.shape[0] != A.shape[0]:
        raise ValueError(f"Y must have one row per row of A ({A.shape[0]}), got shape "
                         f"{Y.shape}")
    return A, Y


def _info(A, Y, D, **extra):
    residual = A @ D - Y
    rmses = np.sqrt(np.mean(residual ** 2, axis=0))
    return {"rmse": float(np.sqrt(np.mean(residual ** 2))), "rmses": rmses, **extra}


def lstsq(A, Y, rng=None):
    """Plain least squares (LAPACK ``gelsd``, minimum norm when rank-deficient)."""
    A, Y = _checked(A, Y)
    D, _, rank, _ = scipy.linalg.lstsq(A, Y, lapack_driver="gelsd")
    return D, _info(A, Y, D, rank=int(rank))


def svd(A, Y, rng=None, cutoff: float = 1e-3):
    """Pseudo-inverse through the SVD, dropping singular values below
    ``cutoff * largest`` (a truncated, hence regularised, solution)."""
    A, Y = _checked(A, Y)
    cutoff = as_float("cutoff", cutoff, nonnegative=True)
    U, s, Vt = scipy.linalg.svd(A, full_matrices=False)
    keep = s > cutoff * s[0] if s.size else s > 0
    D = (Vt[keep].T / s[keep]) @ (U[:, keep].T @ Y)
    return D, _info(A, Y, D, rank=int(keep.sum()))


def lstsq_l2(A, Y, rng=None, reg: float = 0.1):
    """Ridge regression: ``(AᵀA + P σ² I) D = AᵀY`` with ``σ = reg * max(A)``.

    σ is the standard deviation of the noise the decoders are made robust to, a
    fraction ``reg`` of the largest firing rate; the Gram matrix is formed with BLAS
    and factored by Cholesky.
    """
    A, Y = _checked(A, Y)
    reg = as_float("reg", reg, nonnegative=True)
    sigma = reg * float(A.max()) if A.size else 0.0
    gram, order = gram_matrix(A, single=reg >= SINGLE_PRECISION_REG)
    gram.flat[::gram.shape[0] + 1] += A.shape[0] * sigma ** 2
    D = np.empty((A.shape[1], Y.shape[1]))
    D[order] = _cholesky_solve(gram, (A.T @ Y)[order])
    return D, _info(A, Y, D, sigma=sigma)


#: Rows per block when forming the Gram matrix.
GRAM_BLOCK_ROWS = 2048
#: From this ``reg`` on, ``lstsq_l2`` forms the Gram matrix in single precision.
SINGLE_PRECISION_REG = 1e-3


def gram_matrix(A: np.ndarray, single: bool = False):
    """AᵀA, with its columns in the returned ``order`` (a permutation).

    When most columns are zero outside one interval of rows — the tuning curves of
    a 1-D population on sorted points — the columns are ordered so that the
    columns active in any block of rows are contiguous, and each block adds only
    its active sub-matrix: about a quarter of the dense work. Otherwise it is the
    dense product (``order`` the identity).

    With ``single``, each block's product runs in single precision (twice BLAS's
    double-precision speed) and is summed in double. Its rounding is that of
    perturbing A by about sqrt(GRAM_BLOCK_ROWS) · 6e-8 ≈ 3e-6 of its entries: for a
    ridge solve with σ ≥ 1e-3 · max(A) (``reg`` ≥ ``SINGLE_PRECISION_REG``), whose
    decoders are built to tolerate noise σ on every activity, that is at least 300
    times below the noise modelled, and the decoders' RMSE is unchanged (checked in
    tests/nef/test_solvers.py against the double-precision Gram).
    """
    cast = np.float32 if single else np.float64
    P, N = A.shape
    lo, hi = column_support(A)
    if (hi - lo).clip(min=0).sum() > 0.6 * P * N:
        if not single:
            return A.T @ A, np.arange(N)
        gram = np.zeros((N, N))
        for r0 in range(0, P, GRAM_BLOCK_ROWS):
            block = A[r0:r0 + GRAM_BLOCK_ROWS].astype(cast, copy=False)
            gram += np.dot(block.T, block)
        return gram, np.arange(N)
    falling = np.flatnonzero(lo == 0)  # active from the first row on
    rising = np.flatnonzero(lo != 0)
    falling = falling[np.argsort(hi[falling], kind="stable")]
    rising = rising[np.argsort(lo[rising], kind="stable")]
    order = np.concatenate([falling, rising])
    falling_hi = hi[falling]
    rising_lo = lo[rising]
    gram = np.zeros((N, N))
    for r0 in range(0, P, GRAM_BLOCK_ROWS):
        r1 = min(r0 + GRAM_BLOCK_ROWS, P)
        a = int(np.searchsorted(falling_hi, r0, side="right"))  # first with hi > r0
        b = falling.size + int(np.searchsorted(rising_lo, r1, side="left"))
        if b > a:
            block = A[r0:r1][:, order[a:b]].astype(cast, copy=False)
            gram[a:b, a:b] += np.dot(block.T, block)  # numpy uses syrk for XᵀX
    return gram, order


@njit(cache=True, parallel=True)
def column_support(A):
    """First and one-past-last row where each column of A is non-zero ((N,), (N,));
    an all-zero column gets lo = hi = 0."""
    P, N = A.shape
    lo = np.zeros(N, np.int64)
    hi = np.zeros(N, np.int64)
    n_chunks = 64
    for c in prange(n_chunks):
        start = c * N // n_chunks
        stop = (c + 1) * N // n_chunks
        for i in range(start, stop):
            lo[i] = P
        for p in range(P):
            for i in range(start, stop):
                if A[p, i] != 0.0:
                    if lo[i] == P:
                        lo[i] = p
                    hi[i] = p + 1
        for i in range(start, stop):
            if hi[i] == 0:
                lo[i] = 0
    return lo, hi


def _cholesky_solve(gram, rhs):
    """Solve ``gram @ x = rhs`` (symmetric positive definite, double precision).

    Factored in single precision (twice as fast) and refined with double-precision
    residuals until the relative residual is below ``REFINE_TOLERANCE`` — the
    double-precision answer, when the matrix is conditioned well enough for single
    precision (as the ridge term makes it); otherwise factored in double.
    """
    try:
        factor = scipy.linalg.cho_factor(gram.astype(np.float32), lower=False,
                                         overwrite_a=True, check_finite=False)
    except np.linalg.LinAlgError:
        factor = None
    if factor is not None:
        x = np.zeros_like(rhs)
        residual = rhs
        size = np.linalg.norm(rhs)
        for _ in range(REFINE_STEPS):
            x += scipy.linalg.cho_solve(factor, residual.astype(np.float32),
                                        check_finite=False)
            residual = rhs - gram @ x
            if np.linalg.norm(residual) <= REFINE_TOLERANCE * size:
                return x
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, overwrite_a=True,
                                         check_finite=False)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            "the Gram matrix is singular: some neurons never fire at the evaluation "
            "points (or two are identical); use reg > 0") from None
    return scipy.linalg.cho_solve(factor, rhs, overwrite_b=True, check_finite=False)


#: Refinement steps tried on a single-precision Cholesky factor, and the relative
#: residual that ends them.
REFINE_STEPS = 6
REFINE_TOLERANCE = 1e-12


def nnls(A, Y, rng=None, reg: float = 0.0):
    """Non-negative least squares (every weight >= 0), one output at a time, with an
    optional ridge penalty ``reg`` as in ``lstsq_l2``."""
    A, Y = _checked(A, Y)
    reg = as_float("reg", reg, nonnegative=True)
    sigma = reg * float(A.max()) if A.size else 0.0
    if sigma > 0:
        A_fit = np.vstack([A, np.sqrt(A.shape[0]) * sigma * np.eye(A.shape[1])])
        Y_fit = np.vstack([Y, np.zeros((A.shape[1], Y.shape[1]))])
    else:
        A_fit, Y_fit = A, Y
    D = np.column_stack([scipy.optimize.nnls(A_fit, Y_fit[:, j], maxiter=50 * A.shape[1])[0]
                         for j in range(Y.shape[1])])
    return D, _info(A, Y, D, sigma=sigma)


SOLVERS = {"lstsq": lstsq, "svd": svd, "lstsq_l2": lstsq_l2, "nnls": nnls}


def resolve(solver, reg: float | None):
    """A solver callable and a description for cache keys (None: not cacheable)."""
    if callable(solver):
        return solver, None
    if not isinstance(solver, str) or solver not in SOLVERS:
        raise ValueError(f"solver must be one of {sorted(SOLVERS)} or a callable "
                         f"solver(A, Y, rng) -> (D, info), got {_show(solver)}")
    function = SOLVERS[solver]
    if solver in ("lstsq_l2", "nnls"):
        reg = 0.1 if reg is None and solver == "lstsq_l2" else (reg or 0.0)
        reg = as_float("reg", reg, nonnegative=True)
        return (lambda A, Y, rng: function(A, Y, rng, reg=reg)), (solver, reg)
    if reg is not None:
        raise ValueError(f"reg is not used by solver {solver!r}; it applies to "
                         "'lstsq_l2' and 'nnls'")
    return function, (solver,)
