"""Compiled Runge–Kutta steppers: fixed-step and adaptive, one system or a batch.

The whole time loop runs in numba: stages, step-size control, dense output, event
location (Brent's method on the interpolant) and resets. ``f``, the combined event
function and the combined reset are numba functions passed in as arguments, so one
kernel serves every right-hand side. ``reference.py`` holds the plain-numpy twin of
``integrate`` and the tests hold the two equal.

Conventions shared with the twin
--------------------------------
* Each accepted step stores a polynomial ``y(t + θh) = y + Σ_j θ^j C[j-1]`` (j = 1..4):
  the method's continuous extension when it has one, cubic Hermite otherwise.
* An event fires when g changes sign strictly: ``g_old < 0 <= g_new`` (up) or
  ``g_old > 0 >= g_new`` (down), filtered by its direction. A reset applies at the
  located time and integration restarts there; a terminal event stops integration.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from functools import cache

import numpy as np
from numba import njit, prange, types
from numba.core.errors import NumbaExperimentalFeatureWarning

_f8 = types.float64
_i8 = types.int64
_vec = types.float64[::1]
_ivec = types.int64[::1]
_mat = types.float64[:, ::1]
_bool = types.boolean

#: ``f(t, y, row, p) -> dydt``: ``row`` holds per-system parameters (batches), ``p``
#: the packed extra arguments (see ``adapters.py``).
RHS_SIGNATURE = _vec(_f8, _vec, _vec, _vec)
#: ``ev(t, y, row, p, out)`` writes every event function's value into ``out``.
EVENT_SIGNATURE = types.none(_f8, _vec, _vec, _vec, _vec)
#: ``reset(k, y) -> y_new`` applies event ``k``'s reset.
RESET_SIGNATURE = _vec(_i8, _vec)
RHS_TYPE = types.FunctionType(RHS_SIGNATURE)
EVENT_TYPE = types.FunctionType(EVENT_SIGNATURE)
RESET_TYPE = types.FunctionType(RESET_SIGNATURE)

STATUS_DONE = 0
STATUS_TERMINAL = 1
STATUS_NONFINITE = -1
STATUS_STEP_TOO_SMALL = -2

SAFETY = 0.9
MIN_FACTOR = 0.2
MAX_FACTOR = 10.0
PI_BETA = 0.04
ROOT_MAX_ITER = 200


@njit(EVENT_SIGNATURE, cache=True)
def no_events(t, y, row, p, out):
    """Combined event function for problems without events (writes nothing)."""
    return


@njit(RESET_SIGNATURE, cache=True)
def no_reset(k, y):
    """Combined reset for problems without resets (identity)."""
    return y.copy()


@njit(cache=True)
def _grow1(a):
    out = np.empty(2 * a.shape[0], a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _grow2(a):
    out = np.empty((2 * a.shape[0], a.shape[1]), a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _grow3(a):
    out = np.empty((2 * a.shape[0], a.shape[1], a.shape[2]), a.dtype)
    out[: a.shape[0]] = a
    return out


@njit(cache=True)
def _set_row(M, i, v):
    """M[i, :] = v without numba's generic (slow) slice assignment."""
    for j in range(v.shape[0]):
        M[i, j] = v[j]


@njit(cache=True)
def _copy(dst, src):
    """dst[:] = src, element by element."""
    for j in range(src.shape[0]):
        dst[j] = src[j]


@njit(cache=True)
def interpolate(y_old, C, theta, out):
    """Dense output at ``θ`` in [0, 1]: ``out = y_old + θ(C0 + θ(C1 + θ(C2 + θ C3)))``."""
    for j in range(y_old.shape[0]):
        out[j] = y_old[j] + theta * (C[0, j] + theta * (C[1, j] + theta * (
            C[2, j] + theta * C[3, j])))


@njit(cache=True)
def _rms(err, y, y_new, rtol, atol):
    total = 0.0
    for j in range(err.shape[0]):
        scale = atol[j] + max(abs(y[j]), abs(y_new[j])) * rtol
        total += (err[j] / scale) ** 2
    return np.sqrt(total / err.shape[0])


@njit(cache=True)
def initial_step(f, row, p, t0, y0, f0, t1, rtol, atol, error_order, max_step):
    """Starting step size from Hairer, Nørsett & Wanner (1993), §II.4.

    Returns ``(h, nfev)``: the step and the one extra evaluation of ``f`` it costs.
    """
    n = y0.shape[0]
    d0 = 0.0
    d1 = 0.0
    for j in range(n):
        scale = atol[j] + abs(y0[j]) * rtol
        d0 += (y0[j] / scale) ** 2
        d1 += (f0[j] / scale) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, t1 - t0, max_step)
    y1 = y0 + h0 * f0
    f1 = f(t0 + h0, y1, row, p)
    d2 = 0.0
    for j in range(n):
        scale = atol[j] + abs(y0[j]) * rtol
        d2 += ((f1[j] - f0[j]) / scale) ** 2
    d2 = np.sqrt(d2 / n) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (error_order + 1))
    return min(100 * h0, h1, t1 - t0, max_step), 1


@njit(cache=True)
def _locate(ev, k, row, p, t, h, y, C, theta_hi, g_lo, g_hi, vals, ytmp):
    """θ in (0, theta_hi] where event ``k`` crosses zero on the step's interpolant.

    Brent's method (inverse quadratic interpolation safeguarded by bisection), run
    until the bracket in t is at the resolution of floating point; returns the
    bracket end with the smaller |g|.
    """
    a = 0.0
    b = theta_hi
    fa = g_lo
    fb = g_hi
    if fb == 0.0:
        return b
    c = a
    fc = fa
    d = b - a
    e = d
    eps = np.finfo(np.float64).eps
    tol_t = eps * max(abs(t), abs(t + h)) / h
    for _ in range(ROOT_MAX_ITER):
        if (fb > 0.0) == (fc > 0.0):
            c = a
            fc = fa
            d = b - a
            e = d
        if abs(fc) < abs(fb):
            a = b
            b = c
            c = a
            fa = fb
            fb = fc
            fc = fa
        tol = 2.0 * eps * abs(b) + tol_t
        m = 0.5 * (c - b)
        if abs(m) <= tol or fb == 0.0:
            break
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:
                num = 2.0 * m * s
                den = 1.0 - s
            else:
                qa = fa / fc
                r = fb / fc
                num = s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0))
                den = (qa - 1.0) * (r - 1.0) * (s - 1.0)
            if num > 0.0:
                den = -den
            else:
                num = -num
            if 2.0 * num < min(3.0 * m * den - abs(tol * den), abs(e * den)):
                e = d
                d = num / den
            else:
                d = m
                e = d
        else:
            d = m
            e = d
        a = b
        fa = fb
        if abs(d) > tol:
            b += d
        else:
            b += tol if m > 0 else -tol
        interpolate(y, C, b, ytmp)
        ev(t + b * h, ytmp, row, p, vals)
        fb = vals[k]
    return b


@njit(cache=True)
def _crossed(g_old, g_new, direction):
    up = g_old < 0.0 and g_new >= 0.0
    down = g_old > 0.0 and g_new <= 0.0
    if direction > 0:
        return up
    if direction < 0:
        return down
    return up or down


# Slots of the state carried between ``_advance`` calls.
_T, _H, _FACTOR, _PREV_NORM, _FAIL_H = 0, 1, 2, 3, 4
_I_GRID, _NFEV, _NSTEPS, _NREJ, _REJECTED, _STATUS, _FAIL_C, _NREC, _NDENSE, _NEV, \
    _NOUT = range(11)


@njit(cache=True)
def _advance(f, ev, reset, row, p, ev_dir, ev_term, ev_has_reset, t0, t1, A, b, c,
             E, P, adaptive, fsal, error_order, dt, n_grid, rtol, atol, max_step,
             pi_control, t_eval, record_steps, record_dense, fs, ist, y, K, g_old,
             counts, rec_t, rec_y, d_t, d_h, d_y, d_C, e_t, e_k, e_y, y_out):
    """Step until ``t1``, a stop, a failure, or a record buffer without room.

    All state lives in the arrays passed in (``fs``, ``ist``, ``y``, ``K``, ...), so
    the caller can grow a full buffer and call again. Keeping buffer reallocation
    out of this loop keeps reference counting out of every step.
    """
    n = y.shape[0]
    s = b.shape[0]
    n_events = ev_dir.shape[0]
    has_P = P.shape[0] > 0
    need_dense = record_dense or n_events > 0 or t_eval.shape[0] > 0
    n_eval = t_eval.shape[0]
    exponent = -1.0 / (error_order + 1)
    ytmp = np.empty(n)
    y_new = np.empty(n)
    err = np.empty(n)
    f_new = np.empty(n)
    C = np.zeros((4, n))
    g_new = np.empty(n_events)
    vals = np.empty(n_events)
    roots = np.empty(n_events)
    fired = np.zeros(n_events, np.bool_)

    t = fs[_T]
    h = fs[_H]
    factor = fs[_FACTOR]
    prev_norm = fs[_PREV_NORM]
    i_grid = ist[_I_GRID]
    nfev = ist[_NFEV]
    nsteps = ist[_NSTEPS]
    nrejected = ist[_NREJ]
    step_rejected = ist[_REJECTED] != 0
    status = ist[_STATUS]
    n_rec = ist[_NREC]
    n_dense = ist[_NDENSE]
    n_ev = ist[_NEV]
    n_out = ist[_NOUT]
    min_step = 0.0
    room = True

    while status == STATUS_DONE and t < t1:
        if ((record_steps and n_rec + 2 > rec_t.shape[0])
                or (record_dense and n_dense + 1 > d_t.shape[0])
                or n_ev + n_events > e_t.shape[0]):
            room = False
            break
        # -- choose the step --------------------------------------------------
        if adaptive:
            min_step = 10.0 * (np.nextafter(t, np.inf) - t)
            h = max(min(h, max_step), min_step)
            if t + h >= t1 or t1 - (t + h) < min_step:
                h = t1 - t
                t_new = t1
            else:
                t_new = t + h
        else:
            t_new = t0 + (i_grid + 1) * dt if i_grid + 1 < n_grid else t1
            h = t_new - t
        # -- stages ------------------------------------------------------------
        for i in range(1, s):
            for j in range(n):
                total = 0.0
                for m in range(i):
                    total += A[i, m] * K[m, j]
                ytmp[j] = y[j] + h * total
            _set_row(K, i, f(t + c[i] * h, ytmp, row, p))
            nfev += 1
        for j in range(n):
            total = 0.0
            for m in range(s):
                total += b[m] * K[m, j]
            y_new[j] = y[j] + h * total
        # -- accept or reject --------------------------------------------------
        if adaptive:
            for j in range(n):
                total = 0.0
                for m in range(s):
                    total += E[m] * K[m, j]
                err[j] = h * total
            norm = _rms(err, y, y_new, rtol, atol)
            if not (norm <= 1.0):
                factor = MIN_FACTOR
                if np.isfinite(norm):
                    factor = max(MIN_FACTOR, SAFETY * norm ** exponent)
                h = h * factor
                step_rejected = True
                nrejected += 1
                if h < min_step:
                    status = STATUS_STEP_TOO_SMALL
                    fs[_FAIL_H] = h
                    for j in range(n):
                        if not np.isfinite(y_new[j]):
                            status = STATUS_NONFINITE
                            ist[_FAIL_C] = j
                            break
                continue
            if norm == 0.0:
                factor = MAX_FACTOR
            elif pi_control:
                factor = SAFETY * norm ** (exponent + 0.75 * PI_BETA) \
                    * prev_norm ** PI_BETA
                factor = min(MAX_FACTOR, max(MIN_FACTOR, factor))
            else:
                factor = min(MAX_FACTOR, SAFETY * norm ** exponent)
            if step_rejected:
                factor = min(1.0, factor)
            step_rejected = False
            prev_norm = max(norm, 1e-4)
            if fsal:
                _copy(f_new, K[s - 1])
            else:
                _copy(f_new, f(t_new, y_new, row, p))
                nfev += 1
        else:
            for j in range(n):
                if not np.isfinite(y_new[j]):
                    status = STATUS_NONFINITE
                    ist[_FAIL_C] = j
                    fs[_FAIL_H] = h
                    break
            if status != STATUS_DONE:
                break
            _copy(f_new, f(t_new, y_new, row, p))
            nfev += 1
        nsteps += 1
        # -- dense output of this step ------------------------------------------
        if not need_dense:
            pass
        elif has_P:
            for q in range(4):
                for j in range(n):
                    total = 0.0
                    for m in range(s):
                        total += P[m, q] * K[m, j]
                    C[q, j] = h * total
        else:
            for j in range(n):
                delta = y_new[j] - y[j]
                C[0, j] = h * K[0, j]
                C[1, j] = 3.0 * delta - h * (2.0 * K[0, j] + f_new[j])
                C[2, j] = h * (K[0, j] + f_new[j]) - 2.0 * delta
                C[3, j] = 0.0
        # -- events ------------------------------------------------------------
        theta_end = 1.0
        stop_k = -1
        if n_events > 0:
            ev(t_new, y_new, row, p, g_new)
            any_fired = False
            for k in range(n_events):
                fired[k] = _crossed(g_old[k], g_new[k], ev_dir[k])
                if fired[k]:
                    any_fired = True
                    roots[k] = _locate(ev, k, row, p, t, h, y, C, 1.0, g_old[k],
                                       g_new[k], vals, ytmp)
            if any_fired:
                for k in range(n_events):
                    stops = ev_has_reset[k] != 0 or (
                        ev_term[k] > 0 and counts[k] + 1 >= ev_term[k])
                    if fired[k] and stops and (stop_k < 0 or roots[k] < theta_end):
                        stop_k = k
                        theta_end = roots[k]
                # record every fired event up to the stopping one, in time order
                while True:
                    best = -1
                    for k in range(n_events):
                        if fired[k] and roots[k] <= theta_end and (
                                best < 0 or roots[k] < roots[best]):
                            best = k
                    if best < 0:
                        break
                    fired[best] = False
                    counts[best] += 1
                    e_t[n_ev] = t + roots[best] * h
                    e_k[n_ev] = best
                    interpolate(y, C, roots[best], ytmp)
                    _set_row(e_y, n_ev, ytmp)
                    n_ev += 1
                    if best == stop_k:
                        break
        t_end = t_new if stop_k < 0 else t + theta_end * h
        # -- outputs -----------------------------------------------------------
        while n_out < n_eval and t_eval[n_out] <= t_end:
            interpolate(y, C, (t_eval[n_out] - t) / h, ytmp)
            _set_row(y_out, n_out, ytmp)
            n_out += 1
        if record_dense:
            d_t[n_dense] = t
            d_h[n_dense] = h
            _set_row(d_y, n_dense, y)
            for q in range(4):
                for j in range(n):
                    d_C[n_dense, q, j] = C[q, j]
            n_dense += 1
        if stop_k < 0:
            t = t_new
            _copy(y, y_new)
            _set_row(K, 0, f_new)
            if n_events > 0:
                _copy(g_old, g_new)
            if not adaptive:
                i_grid += 1
        else:
            interpolate(y, C, theta_end, ytmp)
            t = t_end
            _copy(y, ytmp)
        if record_steps:
            rec_t[n_rec] = t
            _set_row(rec_y, n_rec, y)
            n_rec += 1
        if stop_k >= 0:
            if ev_has_reset[stop_k] != 0 and not (
                    ev_term[stop_k] > 0 and counts[stop_k] >= ev_term[stop_k]):
                _copy(y, reset(stop_k, y))
                _set_row(K, 0, f(t, y, row, p))
                nfev += 1
                ev(t, y, row, p, g_old)
                if record_steps:
                    rec_t[n_rec] = t
                    _set_row(rec_y, n_rec, y)
                    n_rec += 1
            else:
                status = STATUS_TERMINAL
        if adaptive:
            h = h * factor

    fs[_T] = t
    fs[_H] = h
    fs[_FACTOR] = factor
    fs[_PREV_NORM] = prev_norm
    ist[_I_GRID] = i_grid
    ist[_NFEV] = nfev
    ist[_NSTEPS] = nsteps
    ist[_NREJ] = nrejected
    ist[_REJECTED] = 1 if step_rejected else 0
    ist[_STATUS] = status
    ist[_NREC] = n_rec
    ist[_NDENSE] = n_dense
    ist[_NEV] = n_ev
    ist[_NOUT] = n_out
    return room


@njit(cache=True)
def integrate(f, ev, reset, row, p, ev_dir, ev_term, ev_has_reset,
              t0, t1, y0, A, b, c, E, P, adaptive, fsal, error_order,
              dt, rtol, atol, h_first, max_step, pi_control,
              t_eval, record_steps, record_dense):
    """Integrate one system from ``t0`` to ``t1``.

    Parameters
    ----------
    f, ev, reset : compiled functions of ``RHS_SIGNATURE``, ``EVENT_SIGNATURE`` and
        ``RESET_SIGNATURE``.
    row, p : arrays
        Per-system parameters and packed extra arguments, handed to ``f`` and ``ev``.
    ev_dir, ev_term, ev_has_reset : int64 arrays (n_events,)
        Direction (-1, 0, 1), terminal count (0 = never) and reset flag per event.
    A, b, c, E, P : tableau arrays; ``E`` and ``P`` are empty for methods without an
        error estimate or a continuous extension (Hermite interpolation is used).
    dt : float
        Fixed step (ignored when ``adaptive``).
    rtol, atol : float, array (n,)
    h_first, max_step : float
        First step (<= 0: chosen automatically) and largest step (adaptive only).
    t_eval : array (T,)
        Output times, increasing, inside [t0, t1]; empty to record steps instead.

    Returns
    -------
    tuple
        ``(status, t, y, nfev, nsteps, nrejected, fail_component, fail_h,
        n_rec, rec_t, rec_y, n_dense, d_t, d_h, d_y, d_C,
        n_ev, ev_t, ev_k, ev_y, n_out, y_out)``.
    """
    n = y0.shape[0]
    s = b.shape[0]
    n_events = ev_dir.shape[0]
    y = y0.copy()
    K = np.empty((s, n))
    g_old = np.empty(n_events)
    counts = np.zeros(n_events, np.int64)
    fs = np.zeros(5)
    ist = np.zeros(11, np.int64)
    ist[_FAIL_C] = -1
    fs[_T] = t0
    fs[_FACTOR] = 1.0
    fs[_PREV_NORM] = 1e-4
    cap = 64 if record_steps else 1
    rec_t = np.empty(cap)
    rec_y = np.empty((cap, n))
    dcap = 64 if record_dense else 1
    d_t = np.empty(dcap)
    d_h = np.empty(dcap)
    d_y = np.empty((dcap, n))
    d_C = np.empty((dcap, 4, n))
    ecap = max(16, 2 * n_events)
    e_t = np.empty(ecap)
    e_k = np.empty(ecap, np.int64)
    e_y = np.empty((ecap, n))
    n_eval = t_eval.shape[0]
    y_out = np.empty((n_eval, n))

    _set_row(K, 0, f(t0, y, row, p))
    ist[_NFEV] = 1
    for j in range(n):
        if not np.isfinite(y[j]) or not np.isfinite(K[0, j]):
            ist[_STATUS] = STATUS_NONFINITE
            ist[_FAIL_C] = j
            break
    if ist[_STATUS] == STATUS_DONE and n_events > 0:
        ev(t0, y, row, p, g_old)
    if record_steps:
        rec_t[0] = t0
        _set_row(rec_y, 0, y)
        ist[_NREC] = 1
    while ist[_NOUT] < n_eval and t_eval[ist[_NOUT]] <= t0:
        _set_row(y_out, ist[_NOUT], y)
        ist[_NOUT] += 1
    if adaptive and ist[_STATUS] == STATUS_DONE:
        if h_first > 0:
            fs[_H] = h_first
        else:
            h, extra = initial_step(f, row, p, t0, y, K[0], t1, rtol, atol,
                                    error_order, max_step)
            fs[_H] = h
            ist[_NFEV] += extra
    else:
        fs[_H] = dt
    n_grid = int(np.ceil((t1 - t0) / dt - 1e-9)) if not adaptive else 0

    while not _advance(f, ev, reset, row, p, ev_dir, ev_term, ev_has_reset, t0, t1,
                       A, b, c, E, P, adaptive, fsal, error_order, dt, n_grid, rtol,
                       atol, max_step, pi_control, t_eval, record_steps,
                       record_dense, fs, ist, y, K, g_old, counts, rec_t, rec_y, d_t,
                       d_h, d_y, d_C, e_t, e_k, e_y, y_out):
        if record_steps and ist[_NREC] + 2 > rec_t.shape[0]:
            rec_t = _grow1(rec_t)
            rec_y = _grow2(rec_y)
        if record_dense and ist[_NDENSE] + 1 > d_t.shape[0]:
            d_t = _grow1(d_t)
            d_h = _grow1(d_h)
            d_y = _grow2(d_y)
            d_C = _grow3(d_C)
        if ist[_NEV] + n_events > e_t.shape[0]:
            e_t = _grow1(e_t)
            e_k = _grow1(e_k)
            e_y = _grow2(e_y)
    n_rec = ist[_NREC]
    n_dense = ist[_NDENSE]
    n_ev = ist[_NEV]
    return (ist[_STATUS], fs[_T], y, ist[_NFEV], ist[_NSTEPS], ist[_NREJ],
            ist[_FAIL_C], fs[_FAIL_H], n_rec, rec_t[:n_rec], rec_y[:n_rec], n_dense,
            d_t[:n_dense], d_h[:n_dense], d_y[:n_dense], d_C[:n_dense],
            n_ev, e_t[:n_ev], e_k[:n_ev], e_y[:n_ev], ist[_NOUT], y_out)


@njit(cache=True, parallel=True)
def integrate_batch(f, ev, reset, rows, p, ev_dir, ev_term, ev_has_reset,
                    t0, t1, Y0, A, b, c, E, P, adaptive, fsal, error_order,
                    dt, rtol, atol, h_first, max_step, pi_control, t_eval, ev_cap):
    """Integrate ``m`` independent systems in parallel, each with its own steps.

    System ``i`` sees ``row = rows[i]``. Events are stored per system up to ``ev_cap``;
    ``ev_count`` holds the true count, so the caller can re-run systems that
    overflowed with a larger capacity.

    Returns
    -------
    tuple
        ``(status (m,), t_stop (m,), Y_out (m, T, n), n_out (m,), nfev (m,),
        nsteps (m,), nrejected (m,), fail_component (m,), fail_h (m,),
        ev_count (m,), ev_t (m, cap), ev_k (m, cap))``.
    """
    m_sys = Y0.shape[0]
    n = Y0.shape[1]
    n_eval = t_eval.shape[0]
    status = np.zeros(m_sys, np.int64)
    t_stop = np.empty(m_sys)
    Y_out = np.full((m_sys, n_eval, n), np.nan)
    n_out = np.zeros(m_sys, np.int64)
    nfev = np.zeros(m_sys, np.int64)
    nsteps = np.zeros(m_sys, np.int64)
    nrejected = np.zeros(m_sys, np.int64)
    fail_component = np.full(m_sys, -1, np.int64)
    fail_h = np.zeros(m_sys)
    ev_count = np.zeros(m_sys, np.int64)
    ev_t = np.full((m_sys, ev_cap), np.nan)
    ev_k = np.full((m_sys, ev_cap), -1, np.int64)
    for i in prange(m_sys):
        out = integrate(f, ev, reset, rows[i], p, ev_dir, ev_term, ev_has_reset,
                        t0, t1, Y0[i], A, b, c, E, P, adaptive, fsal, error_order,
                        dt, rtol, atol, h_first, max_step, pi_control,
                        t_eval, False, False)
        status[i] = out[0]
        t_stop[i] = out[1]
        nfev[i] = out[3]
        nsteps[i] = out[4]
        nrejected[i] = out[5]
        fail_component[i] = out[6]
        fail_h[i] = out[7]
        count = out[16]
        ev_count[i] = count
        keep = min(count, ev_cap)
        ev_t[i, :keep] = out[17][:keep]
        ev_k[i, :keep] = out[18][:keep]
        n_out[i] = out[20]
        Y_out[i, : out[20]] = out[21][: out[20]]
    return (status, t_stop, Y_out, n_out, nfev, nsteps, nrejected, fail_component,
            fail_h, ev_count, ev_t, ev_k)


_INTEGRATE_TYPES = (RHS_TYPE, EVENT_TYPE, RESET_TYPE, _vec, _vec, _ivec, _ivec, _ivec,
                    _f8, _f8, _vec, _mat, _vec, _vec, _vec, _mat, _bool, _bool, _i8,
                    _f8, _f8, _vec, _f8, _f8, _bool, _vec, _bool, _bool)
_BATCH_TYPES = (RHS_TYPE, EVENT_TYPE, RESET_TYPE, _mat, _vec, _ivec, _ivec, _ivec,
                _f8, _f8, _mat, _mat, _vec, _vec, _vec, _mat, _bool, _bool, _i8,
                _f8, _f8, _vec, _f8, _f8, _bool, _vec, _i8)


@cache
def typed(kernel):
    """``kernel`` compiled once for function-pointer arguments, then frozen.

    Compiling for ``FunctionType`` arguments (not each user function's own type) lets
    one machine-code kernel, cached on disk, serve every right-hand side.
    """
    with quiet_numba():
        kernel.compile({integrate: _INTEGRATE_TYPES,
                        integrate_batch: _BATCH_TYPES}[kernel])
    kernel.disable_compile()
    return kernel


@contextmanager
def quiet_numba():
    """Hide numba's notice that function-pointer arguments are an experimental
    feature: they are what the kernels are built on, and tested here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumbaExperimentalFeatureWarning)
        yield
