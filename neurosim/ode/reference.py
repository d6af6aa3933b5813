"""Plain-numpy twin of the compiled stepper in ``kernels.py``.

Same algorithm, written with numpy vector operations and scipy's ``brentq`` for event
location, so it is an independent check on the compiled kernel (the tests hold the
two equal) and the path taken when ``f`` or an event is an ordinary Python function.
It returns the same tuple as ``kernels.integrate``.

Every sum runs in the kernel's order — stage sums Σ_m w_m K_m from m = 0 up, norms
j = 0 up — with elementwise operations only (no BLAS, whose summation order and use
of fused multiply-adds depend on the CPU kernel it picks): the two compute the same
floating-point operations and give the same bits wherever they take the same
steps. Only event location differs (``brentq`` here, the kernel's own Brent there).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from .kernels import (MAX_FACTOR, MIN_FACTOR, PI_BETA, SAFETY, STATUS_DONE,
                      STATUS_NONFINITE, STATUS_STEP_TOO_SMALL, STATUS_TERMINAL)

EPS = np.finfo(np.float64).eps


def _interpolate(y_old, C, theta):
    return y_old + theta * (C[0] + theta * (C[1] + theta * (C[2] + theta * C[3])))


def _combine(weights, K):
    """Σ_m weights[m] K[m], summed from m = 0 up as the kernel does, shape (n,)."""
    total = np.zeros(K.shape[1])
    for w, row in zip(weights, K):
        total += w * row
    return total


def _sequential_mean(values):
    """The mean of ``values`` summed left to right (``cumsum`` adds strictly in
    order, where ``np.mean`` and ``sum`` do not)."""
    return float(np.cumsum(values)[-1]) / values.shape[0]


def _rms(err, y, y_new, rtol, atol):
    scale = atol + np.maximum(np.abs(y), np.abs(y_new)) * rtol
    return float(np.sqrt(_sequential_mean((err / scale) ** 2)))


def initial_step(f, args, t0, y0, f0, t1, rtol, atol, error_order, max_step):
    """Starting step size (Hairer, Nørsett & Wanner 1993, §II.4); returns (h, nfev)."""
    scale = atol + np.abs(y0) * rtol
    d0 = np.sqrt(_sequential_mean((y0 / scale) ** 2))
    d1 = np.sqrt(_sequential_mean((f0 / scale) ** 2))
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, t1 - t0, max_step)
    f1 = np.asarray(f(t0 + h0, y0 + h0 * f0, *args), dtype=np.float64)
    d2 = np.sqrt(_sequential_mean(((f1 - f0) / scale) ** 2)) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / (error_order + 1))
    return min(100 * h0, h1, t1 - t0, max_step), 1


def _crossed(g_old, g_new, direction):
    up = g_old < 0.0 <= g_new
    down = g_old > 0.0 >= g_new
    return up if direction > 0 else down if direction < 0 else (up or down)


def _locate(g, args, t, h, y, C, g_old, g_new):
    if g_new == 0.0:
        return 1.0

    def g_theta(theta):
        return float(g(t + theta * h, _interpolate(y, C, theta), *args))

    if (g_theta(1.0) > 0) == (g_old > 0):
        return 1.0  # the crossing sits within rounding of the step's end
    xtol = EPS * max(abs(t), abs(t + h)) / h
    return brentq(g_theta, 0.0, 1.0, xtol=max(xtol, 1e-300), rtol=4 * EPS,
                  maxiter=200)


def _call(f, t, y, args):
    return np.asarray(f(t, y, *args), dtype=np.float64)


def integrate(f, args, events, t0, t1, y0, tableau, dt, rtol, atol, h_first,
              max_step, pi_control, t_eval, record_steps, record_dense):
    """Integrate one system; see ``kernels.integrate`` for arguments and result."""
    A, b, c = tableau.A, tableau.b, tableau.c
    s = tableau.stages
    adaptive = tableau.adaptive
    n = y0.shape[0]
    n_events = len(events)

    def g_all(t, y):
        return np.array([float(e.function(t, y, *args)) for e in events])

    y = y0.copy()
    t = t0
    K = np.empty((s, n))
    status = STATUS_DONE
    fail_component, fail_h = -1, 0.0
    nfev = nsteps = nrejected = 0
    rec_t, rec_y, d_t, d_h, d_y, d_C = [], [], [], [], [], []
    e_t, e_k, e_y = [], [], []
    y_out = np.empty((t_eval.shape[0], n))
    n_out = 0
    counts = np.zeros(n_events, dtype=np.int64)

    K[0] = _call(f, t, y, args)
    nfev += 1
    bad = np.flatnonzero(~(np.isfinite(y) & np.isfinite(K[0])))
    if bad.size:
        status, fail_component = STATUS_NONFINITE, int(bad[0])
    g_old = g_all(t, y) if status == STATUS_DONE and n_events else np.empty(0)
    if record_steps:
        rec_t.append(t)
        rec_y.append(y.copy())
    while n_out < t_eval.shape[0] and t_eval[n_out] <= t0:
        y_out[n_out] = y
        n_out += 1

    if adaptive and status == STATUS_DONE:
        if h_first > 0:
            h = h_first
        else:
            h, extra = initial_step(f, args, t0, y, K[0], t1, rtol, atol,
                                    tableau.error_order, max_step)
            nfev += extra
    else:
        h = dt
    n_grid = int(np.ceil((t1 - t0) / dt - 1e-9)) if not adaptive else 0
    i_grid = 0
    prev_norm = 1e-4
    step_rejected = False
    factor = 1.0
    exponent = -1.0 / (tableau.error_order + 1) if adaptive else 0.0

    while status == STATUS_DONE and t < t1:
        if adaptive:
            min_step = 10.0 * (np.nextafter(t, np.inf) - t)
            h = max(min(h, max_step), min_step)
            if t + h >= t1 or t1 - (t + h) < min_step:
                h, t_new = t1 - t, t1
            else:
                t_new = t + h
        else:
            t_new = t0 + (i_grid + 1) * dt if i_grid + 1 < n_grid else t1
            h = t_new - t
        for i in range(1, s):
            K[i] = _call(f, t + c[i] * h, y + h * _combine(A[i, :i], K[:i]), args)
            nfev += 1
        y_new = y + h * _combine(b, K)
        if adaptive:
            norm = _rms(h * _combine(tableau.error, K), y, y_new, rtol, atol)
            if not norm <= 1.0:
                factor = MIN_FACTOR
                if np.isfinite(norm):
                    factor = max(MIN_FACTOR, SAFETY * norm ** exponent)
                h *= factor
                step_rejected = True
                nrejected += 1
                if h < min_step:
                    status, fail_h = STATUS_STEP_TOO_SMALL, h
                    bad = np.flatnonzero(~np.isfinite(y_new))
                    if bad.size:
                        status, fail_component = STATUS_NONFINITE, int(bad[0])
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
            if tableau.fsal:
                f_new = K[s - 1].copy()
            else:
                f_new = _call(f, t_new, y_new, args)
                nfev += 1
        else:
            bad = np.flatnonzero(~np.isfinite(y_new))
            if bad.size:
                status, fail_component, fail_h = STATUS_NONFINITE, int(bad[0]), h
                break
            f_new = _call(f, t_new, y_new, args)
            nfev += 1
        nsteps += 1
        if tableau.dense is not None:
            C = np.array([h * _combine(column, K) for column in tableau.dense.T])
        else:
            delta = y_new - y
            C = np.array([h * K[0], 3.0 * delta - h * (2.0 * K[0] + f_new),
                          h * (K[0] + f_new) - 2.0 * delta, np.zeros(n)])
        theta_end, stop_k = 1.0, -1
        if n_events:
            g_new = g_all(t_new, y_new)
            roots = {}
            for k, e in enumerate(events):
                if _crossed(g_old[k], g_new[k], e.direction):
                    roots[k] = _locate(e.function, args, t, h, y, C, g_old[k],
                                       g_new[k])
            for k, theta in roots.items():
                e = events[k]
                stops = e.reset is not None or (e.terminal > 0 and
                                                counts[k] + 1 >= e.terminal)
                if stops and (stop_k < 0 or theta < theta_end):
                    stop_k, theta_end = k, theta
            for k in sorted((k for k in roots if roots[k] <= theta_end),
                            key=lambda k: (roots[k], k)):
                counts[k] += 1
                e_t.append(t + roots[k] * h)
                e_k.append(k)
                e_y.append(_interpolate(y, C, roots[k]))
                if k == stop_k:
                    break
        t_end = t_new if stop_k < 0 else t + theta_end * h
        while n_out < t_eval.shape[0] and t_eval[n_out] <= t_end:
            y_out[n_out] = _interpolate(y, C, (t_eval[n_out] - t) / h)
            n_out += 1
        if record_dense:
            d_t.append(t)
            d_h.append(h)
            d_y.append(y.copy())
            d_C.append(C)
        if stop_k < 0:
            t, y, K[0] = t_new, y_new, f_new
            if n_events:
                g_old = g_new
            if not adaptive:
                i_grid += 1
        else:
            y = _interpolate(y, C, theta_end)
            t = t_end
        if record_steps:
            rec_t.append(t)
            rec_y.append(y.copy())
        if stop_k >= 0:
            e = events[stop_k]
            if e.reset is not None and not (e.terminal > 0 and
                                            counts[stop_k] >= e.terminal):
                y = np.array(e.reset(y), dtype=np.float64)
                K[0] = _call(f, t, y, args)
                nfev += 1
                g_old = g_all(t, y)
                if record_steps:
                    rec_t.append(t)
                    rec_y.append(y.copy())
            else:
                status = STATUS_TERMINAL
        if adaptive:
            h *= factor

    def stack(rows, shape):
        return np.array(rows, dtype=np.float64).reshape((len(rows),) + shape)

    return (status, t, y, nfev, nsteps, nrejected, fail_component, fail_h,
            len(rec_t), np.array(rec_t, dtype=np.float64), stack(rec_y, (n,)),
            len(d_t), np.array(d_t, dtype=np.float64), np.array(d_h, dtype=np.float64),
            stack(d_y, (n,)), stack(d_C, (4, n)),
            len(e_t), np.array(e_t, dtype=np.float64), np.array(e_k, dtype=np.int64),
            stack(e_y, (n,)), n_out, y_out)
