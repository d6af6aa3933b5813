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


def lstsq_l2(A, Y, rng=None, reg: float = 0.1, method: str = "auto"):
    """Ridge regression: ``(AᵀA + P σ² I) D = AᵀY`` with ``σ = reg * max(A)``.

    σ is the standard deviation of the noise the decoders are made robust to, a
    fraction ``reg`` of the largest firing rate. ``method``:

    * ``"cholesky"``: the Gram matrix AᵀA formed with BLAS and factored by Cholesky;
    * ``"pcg"``: conjugate gradients on the same equations, preconditioned by a
      randomised Nyström approximation of AᵀA (``ridge_pcg``), iterated until the
      relative residual is below ``PCG_TOLERANCE``; it never forms AᵀA, and falls
      back to Cholesky when the ridge term is too small for the preconditioner;
    * ``"auto"`` (default): ``"pcg"`` from ``PCG_MIN_NEURONS`` neurons on when
      σ > 0, else ``"cholesky"``.
    """
    A, Y = _checked(A, Y)
    reg = as_float("reg", reg, nonnegative=True)
    if method not in ("auto", "cholesky", "pcg"):
        raise ValueError(f"method must be 'auto', 'cholesky' or 'pcg', got "
                         f"{_show(method)}")
    sigma = reg * float(A.max()) if A.size else 0.0
    ridge = A.shape[0] * sigma ** 2
    if method == "auto":
        method = "pcg" if A.shape[1] >= PCG_MIN_NEURONS and ridge > 0 else "cholesky"
    if method == "pcg":
        D, iterations = ridge_pcg(A, Y, ridge, rng)
        if D is not None:
            return D, _info(A, Y, D, sigma=sigma, method="pcg", iterations=iterations)
    gram, order = gram_matrix(A)
    gram.flat[::gram.shape[0] + 1] += ridge
    D = np.empty((A.shape[1], Y.shape[1]))
    D[order] = _cholesky_solve(gram, (A.T @ Y)[order])
    return D, _info(A, Y, D, sigma=sigma, method="cholesky")


#: ``lstsq_l2``'s "auto" method solves by ``ridge_pcg`` from this many neurons on.
PCG_MIN_NEURONS = 1500
#: Relative residual |AᵀY − (AᵀA + ridge I) D| / |AᵀY| at which ``ridge_pcg`` stops.
PCG_TOLERANCE = 1e-10
#: Iterations after which ``ridge_pcg`` gives up (it needs about 15 when the
#: preconditioner holds every eigenvalue above the ridge term).
PCG_MAX_ITERATIONS = 100


def ridge_pcg(A, Y, ridge: float, rng=None):
    """Solve ``(AᵀA + ridge I) D = AᵀY`` by preconditioned conjugate gradients.

    The preconditioner is a randomised Nyström approximation U Λ Uᵀ of AᵀA of rank
    ℓ (Frangella, Tropp & Udell 2023, "Randomized Nyström preconditioning"): it
    maps the ℓ largest eigenvalues of AᵀA + ridge I onto about λ_ℓ + ridge and
    leaves the rest, which lie between ridge and λ_ℓ + ridge. ℓ starts at 32 and
    doubles until λ_ℓ ≤ ridge, so the preconditioned matrix has a condition number
    of about 2 and each iteration cuts the error about five-fold. With ridge
    regularisation a population's tuning curves have few eigenvalues above the ridge
    term (22 for 10000 LIF neurons at reg = 0.1), so the solve costs a few dozen
    passes over A (``gram_times``): O(P N) instead of the Gram matrix's O(P N²).

    A (P, N), Y (P, L); ``rng`` draws the sketch (a fixed seed when None).
    Returns (D (N, L), iterations), or (None, 0) when ℓ would exceed N/8 (a ridge
    term too small for the preconditioner to pay) or the iterations do not converge.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    N = A.shape[1]
    rhs = A.T @ Y
    rank = 32
    while True:
        if rank > N // 8:
            return None, 0
        basis, _ = np.linalg.qr(rng.standard_normal((N, rank)))
        U, eigenvalues = _nystrom(basis, A.T @ (A @ basis))
        if eigenvalues is not None and eigenvalues[-1] <= ridge:
            break
        rank *= 2
    scale = (eigenvalues[-1] + ridge) / (eigenvalues + ridge) - 1.0

    def precondition(r):
        return r + U @ (scale[:, None] * (U.T @ r))

    x = np.zeros_like(rhs)
    r = rhs.copy()
    z = precondition(r)
    p = z.copy()
    rz = np.einsum("ij,ij->j", r, z)
    limit = PCG_TOLERANCE * np.linalg.norm(rhs, axis=0)
    for iteration in range(1, PCG_MAX_ITERATIONS + 1):
        q = gram_times(A, np.ascontiguousarray(p.T)).T + ridge * p
        step = _ratio(rz, np.einsum("ij,ij->j", p, q))
        x += step * p
        r -= step * q
        if np.all(np.linalg.norm(r, axis=0) <= limit):
            return x, iteration
        z = precondition(r)
        rz_next = np.einsum("ij,ij->j", r, z)
        p = z + _ratio(rz_next, rz) * p
        rz = rz_next
    return None, 0


@njit(cache=True, parallel=True, error_model="numpy", fastmath={"reassoc", "contract"})
def gram_times(A, V):
    """AᵀA Vᵀ as rows, (L, N), for A (P, N) and V (L, N), in one pass over A.

    Each of a fixed number of row chunks adds its rows' ``(a · v) a`` to its own
    partial sum, and the partial sums are added in order, so the result does not
    depend on the number of threads.
    """
    P, N = A.shape
    L = V.shape[0]
    n_chunks = 64
    partial = np.zeros((n_chunks, L, N))
    for c in prange(n_chunks):
        projection = np.empty(L)
        for p in range(c * P // n_chunks, (c + 1) * P // n_chunks):
            row = A[p]
            for k in range(L):
                total = 0.0
                for i in range(N):
                    total += row[i] * V[k, i]
                projection[k] = total
            for k in range(L):
                for i in range(N):
                    partial[c, k, i] += row[i] * projection[k]
    out = np.zeros((L, N))
    for c in range(n_chunks):
        out += partial[c]
    return out


def _ratio(a, b):
    """a / b, and 0 where b is 0 (a column already solved exactly)."""
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def _nystrom(basis, sketch):
    """Eigenvectors U (N, ℓ) and eigenvalues (ℓ,), decreasing, of the Nyström
    approximation of a positive semi-definite G from ``sketch`` = G @ ``basis``
    (orthonormal columns); eigenvalues None when the core is not positive definite."""
    shift = np.finfo(float).eps * np.sqrt(sketch.shape[0]) * np.linalg.norm(sketch)
    sketch = sketch + shift * basis
    try:
        core = np.linalg.cholesky(basis.T @ sketch)
    except np.linalg.LinAlgError:
        return None, None
    B = scipy.linalg.solve_triangular(core, sketch.T, lower=True).T
    U, s, _ = scipy.linalg.svd(B, full_matrices=False)
    return U, np.maximum(s ** 2 - shift, 0.0)


#: Rows per block when forming the Gram matrix.
GRAM_BLOCK_ROWS = 2048


def gram_matrix(A: np.ndarray):
    """AᵀA, with its columns in the returned ``order`` (a permutation).

    When most columns are zero outside one interval of rows — the tuning curves of
    a 1-D population on sorted points — the columns are ordered so that the
    columns active in any block of rows are contiguous, and each block adds only
    its active sub-matrix: about a quarter of the dense work. Otherwise it is the
    dense product (``order`` the identity).
    """
    P, N = A.shape
    lo, hi = column_support(A)
    if (hi - lo).clip(min=0).sum() > 0.6 * P * N:
        return A.T @ A, np.arange(N)
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
            block = A[r0:r1][:, order[a:b]]
            gram[a:b, a:b] += block.T @ block  # numpy uses syrk for XᵀX
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
    """Solve ``gram @ x = rhs`` (symmetric positive definite) by Cholesky."""
    try:
        factor = scipy.linalg.cho_factor(gram, lower=False, overwrite_a=True,
                                         check_finite=False)
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            "the Gram matrix is singular: some neurons never fire at the evaluation "
            "points (or two are identical); use reg > 0") from None
    return scipy.linalg.cho_solve(factor, rhs, overwrite_b=True, check_finite=False)


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
        key = (solver, reg, "pcg", PCG_MIN_NEURONS, PCG_TOLERANCE) \
            if solver == "lstsq_l2" else (solver, reg)  # what decides its answer
        return (lambda A, Y, rng: function(A, Y, rng, reg=reg)), key
    if reg is not None:
        raise ValueError(f"reg is not used by solver {solver!r}; it applies to "
                         "'lstsq_l2' and 'nnls'")
    return function, (solver,)
