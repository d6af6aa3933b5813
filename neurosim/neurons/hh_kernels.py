"""Compiled fixed-step integration of Hodgkin–Huxley populations.

Neurons are split into blocks; threads take blocks (``prange``) and march each block
through all time steps. Inside a step the loop over the block's neurons has no calls
and no branches the compiler cannot turn into selects, so it runs as SIMD code (the
exponentials are ``vexp``). Spikes and failures are flagged in that loop and handled
in a scalar pass only when a flag is up.

Methods: ``EULER`` (forward Euler), ``RK4`` (classic Runge–Kutta) and ``EXP_EULER``
(exponential Euler, staggered): each equation is linear in its own variable given
the others, so each variable is advanced with the exact solution of that linear
equation over the step, x∞ + (x − x∞) e^(−dt/τx) — first the gates with V(t) held,
then V with the conductances of the *updated* gates. That order matters: at
dt = 0.01 ms over 1 s of firing at I = 10 µA/cm², it keeps spike times within
0.05 ms of an rk45 reference, where updating all four from the old state (as
Brian2's exponential Euler does) drifts by 4.9 ms and loses a spike. The current is
held constant over each step. Units inside: mV, ms, µA/cm².

``run_numpy`` is the plain-numpy twin.
"""

from __future__ import annotations

import numpy as np
from numba import literally, njit, prange

from ..vecmath import vexp
from .hh import derivatives, rates, rates_numpy

EULER, RK4, EXP_EULER = 0, 1, 2
METHOD_CODES = {"euler": EULER, "rk4": RK4, "exp_euler": EXP_EULER}
BLOCK = 128
_FINITE_BOUND = 1e300


@njit(inline="always", cache=True, error_model="numpy")
def _step_euler(v, m, h, n, current, dt, par):
    dv, dm, dh, dn = derivatives(v, m, h, n, current, par)
    return v + dt * dv, m + dt * dm, h + dt * dh, n + dt * dn, dv


@njit(inline="always", cache=True, error_model="numpy")
def _step_rk4(v, m, h, n, current, dt, par):
    half = 0.5 * dt
    v1, m1, h1, n1 = derivatives(v, m, h, n, current, par)
    v2, m2, h2, n2 = derivatives(v + half * v1, m + half * m1, h + half * h1,
                                 n + half * n1, current, par)
    v3, m3, h3, n3 = derivatives(v + half * v2, m + half * m2, h + half * h2,
                                 n + half * n2, current, par)
    v4, m4, h4, n4 = derivatives(v + dt * v3, m + dt * m3, h + dt * h3, n + dt * n3,
                                 current, par)
    sixth = dt / 6.0
    return (v + sixth * (v1 + 2.0 * (v2 + v3) + v4),
            m + sixth * (m1 + 2.0 * (m2 + m3) + m4),
            h + sixth * (h1 + 2.0 * (h2 + h3) + h4),
            n + sixth * (n1 + 2.0 * (n2 + n3) + n4), v1)


@njit(inline="always", cache=True, error_model="numpy")
def _step_exp_euler(v, m, h, n, current, dt, par):
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    n2 = n * n
    dv = (current - par[1] * m * m * m * h * (v - par[4]) - par[2] * n2 * n2 * (v - par[5])
          - par[3] * (v - par[6])) / par[0]
    s_m = a_m + b_m
    s_h = a_h + b_h
    s_n = a_n + b_n
    m_inf = a_m / s_m
    h_inf = a_h / s_h
    n_inf = a_n / s_n
    m1 = m_inf + (m - m_inf) * vexp(-dt * s_m)
    h1 = h_inf + (h - h_inf) * vexp(-dt * s_h)
    n1 = n_inf + (n - n_inf) * vexp(-dt * s_n)
    n12 = n1 * n1
    g_na = par[1] * m1 * m1 * m1 * h1
    g_k = par[2] * n12 * n12
    g_total = g_na + g_k + par[3]
    v_inf = (current + g_na * par[4] + g_k * par[5] + par[3] * par[6]) / g_total
    return v_inf + (v - v_inf) * vexp(-dt * g_total / par[0]), m1, h1, n1, dv


@njit(cache=True, error_model="numpy")
def crossing_fraction(v0, dv0, v1, dv1, dt, threshold):
    """θ in [0, 1] where the cubic Hermite through (v0, dv0), (v1, dv1) over a step of
    ``dt`` reaches ``threshold`` (v0 < threshold <= v1): safeguarded Newton."""
    lo, hi = 0.0, 1.0
    theta = (threshold - v0) / (v1 - v0)
    for _ in range(50):
        t2 = theta * theta
        t3 = t2 * theta
        p = ((2 * t3 - 3 * t2 + 1) * v0 + (t3 - 2 * t2 + theta) * dt * dv0
             + (-2 * t3 + 3 * t2) * v1 + (t3 - t2) * dt * dv1) - threshold
        dp = ((6 * t2 - 6 * theta) * (v0 - v1) + (3 * t2 - 4 * theta + 1) * dt * dv0
              + (3 * t2 - 2 * theta) * dt * dv1)
        if p > 0.0:
            hi = theta
        else:
            lo = theta
        step = p / dp if dp != 0.0 else 0.0
        new = theta - step
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        if abs(new - theta) < 1e-14:
            theta = new
            break
        theta = new
    return theta


@njit(cache=True, error_model="numpy")
def _handle_flags(k, i0, flags, v_old, dv_old, V, M, H, N, J, row, dt, par, spike_t,
                  spike_count, fail_step):
    """Record the spikes and failures flagged in step ``k``; True if any failed."""
    failed = False
    for j in range(flags.shape[0]):
        if flags[j] & 2:
            fail_step[i0 + j] = k
            failed = True
        elif flags[j] & 1:
            who = i0 + j
            dv_new = derivatives(V[who], M[who], H[who], N[who], J[row, who], par)[0]
            theta = crossing_fraction(v_old[j], dv_old[j], V[who], dv_new, dt, par[7])
            c = spike_count[who]
            if c < spike_t.shape[1]:
                spike_t[who, c] = (k + theta) * dt
            spike_count[who] = c + 1
    return failed


@njit(cache=True, error_model="numpy")
def _run_steps(method, V, M, H, N, J, col, j_stride, start, stop, dt, par, v_old,
               dv_old, flags):
    """Steps ``start``..``stop - 1`` of one block of neurons, until one of them raises
    a flag (1 = crossed the threshold, 2 = non-finite). Returns (steps completed,
    flags OR).

    ``V, M, H, N`` are the block's views and ``J[:, col:col + size]`` its currents.
    The loop over neurons is kept alone in this function, indexed from 0 (a runtime
    offset in the index, or spike handling in the same function, stops the compiler
    from vectorising it); ``literally`` gives one version per method, each with a
    single inlined stepper.
    """
    literally(method)
    threshold = par[7]
    size = V.shape[0]
    for k in range(start, stop):
        drive = J[k * j_stride, col:col + size]
        any_flag = 0
        for i in range(size):
            v = V[i]
            if method == EULER:
                v1, m1, h1, n1, dv = _step_euler(v, M[i], H[i], N[i], drive[i], dt, par)
            elif method == RK4:
                v1, m1, h1, n1, dv = _step_rk4(v, M[i], H[i], N[i], drive[i], dt, par)
            else:
                v1, m1, h1, n1, dv = _step_exp_euler(v, M[i], H[i], N[i], drive[i], dt,
                                                     par)
            V[i] = v1
            M[i] = m1
            H[i] = h1
            N[i] = n1
            v_old[i] = v
            dv_old[i] = dv
            crossed = 1 if (v < threshold) and (v1 >= threshold) else 0
            bad = 0 if abs(v1) + abs(m1) + abs(h1) + abs(n1) < _FINITE_BOUND else 2
            flag = crossed | bad
            flags[i] = flag
            any_flag |= flag
        if any_flag != 0:
            return k + 1, any_flag
    return stop, 0


@njit(cache=True, error_model="numpy")
def _advance_block(method, i0, i1, V, M, H, N, J, j_stride, dt, n_steps, par,
                   record_vars, record_every, rec, spike_t, spike_count, fail_step):
    literally(method)
    size = i1 - i0
    v_old = np.empty(size)
    dv_old = np.empty(size)
    flags = np.zeros(size, np.int64)
    n_rec = record_vars.shape[0]
    done = 0
    while done < n_steps:
        stop = n_steps
        if n_rec > 0:
            stop = min(n_steps, (done // record_every + 1) * record_every)
        done, any_flag = _run_steps(method, V[i0:i1], M[i0:i1], H[i0:i1], N[i0:i1], J,
                                    i0, j_stride, done, stop, dt, par, v_old, dv_old,
                                    flags)
        if any_flag != 0 and _handle_flags(done - 1, i0, flags, v_old, dv_old, V, M,
                                           H, N, J, (done - 1) * j_stride, dt, par,
                                           spike_t, spike_count, fail_step):
            return
        if n_rec > 0 and done % record_every == 0:
            _record(done // record_every, i0, i1, V, M, H, N, record_vars, rec)


@njit(cache=True, error_model="numpy")
def _record(slot, i0, i1, V, M, H, N, record_vars, rec):
    for r in range(record_vars.shape[0]):
        which = record_vars[r]
        for j in range(i0, i1):
            if which == 0:
                rec[r, slot, j] = V[j]
            elif which == 1:
                rec[r, slot, j] = M[j]
            elif which == 2:
                rec[r, slot, j] = H[j]
            else:
                rec[r, slot, j] = N[j]


@njit(cache=True, parallel=True, error_model="numpy")
def run(method, V, M, H, N, J, j_stride, dt, n_steps, par, record_vars, record_every,
        rec, spike_t, spike_count, fail_step):
    """Advance every neuron ``n_steps`` steps of ``dt`` (ms), in place.

    Parameters
    ----------
    method : int
        ``EULER``, ``RK4`` or ``EXP_EULER``.
    V, M, H, N : arrays (n,)
        State, updated in place.
    J : array (T, n)
        Current (µA/cm²) per step (``j_stride = 1``) or one row for all steps
        (``j_stride = 0``).
    par : array (8,)
        ``HodgkinHuxley.packed()``.
    record_vars : int array (r,)
        Indices into (V, M, H, N) to record every ``record_every`` steps into
        ``rec`` (r, 1 + n_steps // record_every, n); row 0 is filled by the caller.
    spike_t : array (n, cap)
        Spike times (ms from the start) per neuron; ``spike_count`` (n,) counts all
        spikes, also those beyond ``cap``.
    fail_step : int array (n,)
        Set to the step at which a neuron's state went non-finite (else left -1);
        its block stops there.
    """
    literally(method)  # one compiled version per method (see _run_steps)
    n = V.shape[0]
    n_blocks = (n + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        i0 = b * BLOCK
        i1 = min(i0 + BLOCK, n)
        _advance_block(method, i0, i1, V, M, H, N, J, j_stride, dt, n_steps, par,
                       record_vars, record_every, rec, spike_t, spike_count, fail_step)


def _derivatives_numpy(v, m, h, n, current, par):
    a_m, b_m, a_h, b_h, a_n, b_n = rates_numpy(v)
    i_ion = (par[1] * m ** 3 * h * (v - par[4]) + par[2] * n ** 4 * (v - par[5])
             + par[3] * (v - par[6]))
    return ((current - i_ion) / par[0], a_m * (1 - m) - b_m * m,
            a_h * (1 - h) - b_h * h, a_n * (1 - n) - b_n * n)


def _step_numpy(method, state, current, dt, par):
    """One step of all neurons with numpy arrays; returns (new state, dV/dt at old)."""
    d1 = _derivatives_numpy(*state, current, par)
    if method == EULER:
        return [x + dt * d for x, d in zip(state, d1)], d1[0]
    if method == RK4:
        d2 = _derivatives_numpy(*[x + 0.5 * dt * d for x, d in zip(state, d1)],
                                current, par)
        d3 = _derivatives_numpy(*[x + 0.5 * dt * d for x, d in zip(state, d2)],
                                current, par)
        d4 = _derivatives_numpy(*[x + dt * d for x, d in zip(state, d3)], current, par)
        return [x + dt / 6 * (a + 2 * b + 2 * c + d) for x, a, b, c, d in
                zip(state, d1, d2, d3, d4)], d1[0]
    v, m, h, n = state
    a_m, b_m, a_h, b_h, a_n, b_n = rates_numpy(v)
    m1, h1, n1 = (a / (a + b) + (x - a / (a + b)) * np.exp(-dt * (a + b))
                  for x, a, b in ((m, a_m, b_m), (h, a_h, b_h), (n, a_n, b_n)))
    g = np.array([par[1] * m1 ** 3 * h1, par[2] * n1 ** 4, np.full_like(v, par[3])])
    v_inf = (current + g.T @ par[4:7]) / g.sum(axis=0)
    v_new = v_inf + (v - v_inf) * np.exp(-dt * g.sum(axis=0) / par[0])
    return [v_new, m1, h1, n1], d1[0]


def run_numpy(method, state, J, j_stride, dt, n_steps, par):
    """Plain-numpy twin of ``run`` (no recording): returns the final state, the
    spike times (ms) per neuron and the failing step per neuron (-1 if none)."""
    state = [np.array(x, dtype=np.float64) for x in state]
    n = state[0].size
    spikes = [[] for _ in range(n)]
    fail = np.full(n, -1)
    alive = np.ones(n, bool)
    for k in range(n_steps):
        current = J[k * j_stride]
        new, dv0 = _step_numpy(method, state, current, dt, par)
        with np.errstate(invalid="ignore"):
            bad = alive & ~(np.abs(new[0]) + np.abs(new[1]) + np.abs(new[2])
                            + np.abs(new[3]) < _FINITE_BOUND)
        fail[bad] = k
        alive &= ~bad
        for i in np.flatnonzero(alive & (state[0] < par[7]) & (new[0] >= par[7])):
            dv1 = _derivatives_numpy(*(x[i] for x in new), current[i], par)[0]
            theta = crossing_fraction.py_func(state[0][i], dv0[i], new[0][i], dv1, dt,
                                              par[7])
            spikes[i].append((k + theta) * dt)
        for x, y in zip(state, new):
            x[alive] = y[alive]
        if not alive.any():
            break
    return state, [np.array(s) for s in spikes], fail
