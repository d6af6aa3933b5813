"""Hodgkin–Huxley neuron (I = 10 µA/cm², 1 s) with our compiled RK45 and scipy's RK45.

All runs use rtol = 1e-6, atol = 1e-9 and the same right-hand side: neurosim runs it
compiled; scipy runs it as plain Python (how a scipy user writes it) and, as scipy's
best case, handed the same numba-compiled function. The run prints wall times (best
of ``--repeat``), nfev, steps, spike counts and the speed ratios. Time is in ms inside
the model, as in the textbook.

    python benchmarks/ode.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit
from scipy.integrate import solve_ivp

import neurosim as ns

C_M, G_NA, G_K, G_L = 1.0, 120.0, 36.0, 0.3
E_NA, E_K, E_L = 50.0, -77.0, -54.387


@njit(cache=True)
def _x_over_expm1(x):
    """x / (1 - exp(-x)), finite at x = 0 (limit 1)."""
    if abs(x) < 1e-6:
        return 1.0 + 0.5 * x
    return x / -np.expm1(-x)


@njit(cache=True)
def rates(v):
    """Opening and closing rates (1/ms) of m, h, n at membrane potential v (mV)."""
    a_m = _x_over_expm1((v + 40.0) * 0.1)
    b_m = 4.0 * np.exp((v + 65.0) * (-1.0 / 18.0))
    a_h = 0.07 * np.exp((v + 65.0) * -0.05)
    b_h = 1.0 / (1.0 + np.exp((v + 35.0) * -0.1))
    a_n = 0.1 * _x_over_expm1((v + 55.0) * 0.1)
    b_n = 0.125 * np.exp((v + 65.0) * -0.0125)
    return a_m, b_m, a_h, b_h, a_n, b_n


@njit(cache=True)
def hh_rhs(t, y, current):
    """Classic squid-axon HH: y = (V [mV], m, h, n), t in ms, current in µA/cm²."""
    v, m, h, n = y[0], y[1], y[2], y[3]
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    n2 = n * n
    i_ion = (G_NA * m * m * m * h * (v - E_NA) + G_K * n2 * n2 * (v - E_K)
             + G_L * (v - E_L))
    out = np.empty(4)
    out[0] = (current - i_ion) / C_M
    out[1] = a_m * (1.0 - m) - b_m * m
    out[2] = a_h * (1.0 - h) - b_h * h
    out[3] = a_n * (1.0 - n) - b_n * n
    return out


def resting_state(v=-65.0):
    """(V, m, h, n) with the gates at their steady state for V."""
    a_m, b_m, a_h, b_h, a_n, b_n = rates(v)
    return np.array([v, a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)])


def count_spikes(t, v, threshold=0.0):
    """Upward crossings of ``threshold`` by the sampled voltage."""
    return int(np.sum((v[:-1] < threshold) & (v[1:] >= threshold)))


def best_time(fn, repeat):
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--t-stop", type=float, default=1000.0, help="ms")
    opts = parser.parse_args(argv)
    y0 = resting_state()
    span = (0.0, opts.t_stop)
    tol = dict(rtol=1e-6, atol=1e-9)

    def ours():
        return ns.solve(hh_rhs, span, y0, method="rk45", args=(10.0,), **tol)

    def scipy(rhs):
        return lambda: solve_ivp(rhs, span, y0, method="RK45", args=(10.0,), **tol)

    ours()  # compile (or load from the cache) outside the timing
    t_ours, sol = best_time(ours, opts.repeat)
    t_py, ref_py = best_time(scipy(hh_rhs.py_func), min(opts.repeat, 3))
    t_nb, ref_nb = best_time(scipy(hh_rhs), opts.repeat)
    print(f"Hodgkin-Huxley, I = 10 uA/cm^2, {opts.t_stop:g} ms, rtol=1e-6, atol=1e-9")
    print(f"{'':>24} {'seconds':>9} {'nfev':>7} {'steps':>6} {'spikes':>6} "
          f"{'speed-up':>9}")
    rows = [("neurosim rk45", t_ours, sol.nfev, sol.nsteps, sol.t, sol.y[:, 0]),
            ("scipy RK45, Python f", t_py, ref_py.nfev, ref_py.t.size - 1, ref_py.t,
             ref_py.y[0]),
            ("scipy RK45, numba f", t_nb, ref_nb.nfev, ref_nb.t.size - 1, ref_nb.t,
             ref_nb.y[0])]
    for name, seconds, nfev, steps, t, v in rows:
        print(f"{name:>24} {seconds:9.4f} {nfev:7d} {steps:6d} "
              f"{count_spikes(t, v):6d} {seconds / t_ours:8.1f}x")
    print(f"nfev ratio neurosim/scipy: {sol.nfev / ref_nb.nfev:.3f}")


if __name__ == "__main__":
    main()
