"""Global error vs step size (euler, heun, rk4) and vs work (rk45) on two ODEs.

Problems with closed-form solutions: exponential decay y' = -y (y(0) = 1, error at
t_end = 1) and the harmonic oscillator x'' = -x (x(0) = 1, v(0) = 0, error after one
period, t_end = 2 pi). Fixed-step methods run over a range of dt; the fitted log-log
slope of error vs dt estimates each method's order. rk45 runs over a range of rtol
(with atol = rtol * 1e-3) and is compared with the others by error vs right-hand-side
evaluations.

Writes ``/analysis/convergence/<problem>/<method>/{dt or rtol, nfev, error}`` with the
fitted slope as an attribute, and ``convergence.png``.
"""

from __future__ import annotations

import logging

import numpy as np
from numba import njit

import neurosim as ns
from neurosim.plots import figure, plot_loglog, save_figure
from neurosim.progress import progress

CONFIG = {
    "dt": [0.1, 0.05, 0.025, 0.0125, 0.00625],
    "rtol": [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10],
    "fixed_methods": ["euler", "heun", "rk4"],
    "t_end_decay": 1.0,
    "t_end_oscillator": 6.283185307179586,
}

log = logging.getLogger("neurosim.experiments.ode_convergence")


@njit(cache=True)
def decay(t, y):
    return -y


@njit(cache=True)
def oscillator(t, y):
    out = np.empty(2)
    out[0] = y[1]
    out[1] = -y[0]
    return out


def problems(config):
    """name -> (f, y0, t_end, exact state at t_end)."""
    t_d, t_o = config["t_end_decay"], config["t_end_oscillator"]
    return {
        "decay": (decay, np.array([1.0]), t_d, np.array([np.exp(-t_d)])),
        "oscillator": (oscillator, np.array([1.0, 0.0]), t_o,
                       np.array([np.cos(t_o), -np.sin(t_o)])),
    }


def fitted_slope(x, y) -> float:
    """Least-squares slope of log(y) against log(x)."""
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def run(config, out):
    results = ns.Results()
    dts = np.array(config["dt"], dtype=float)
    rtols = np.array(config["rtol"], dtype=float)
    for problem, (f, y0, t_end, exact) in problems(config).items():
        for method in progress(config["fixed_methods"], desc=problem):
            errors, nfev = [], []
            for dt in dts:
                sol = ns.solve(f, (0.0, t_end), y0, method=method, dt=dt)
                errors.append(np.max(np.abs(sol.y[-1] - exact)))
                nfev.append(sol.nfev)
            slope = fitted_slope(dts, errors)
            base = f"convergence/{problem}/{method}"
            results.add(f"{base}/dt", dts, units="1")
            results.add(f"{base}/error", errors, units="1")
            results.add(f"{base}/nfev", nfev, units="1")
            results.set_attrs(base, slope=slope, slope_against="dt")
            results.metrics[f"slope_{problem}_{method}"] = slope
            log.info("%s %s: slope %.3f", problem, method, slope)
        errors, nfev = [], []
        for rtol in rtols:
            sol = ns.solve(f, (0.0, t_end), y0, method="rk45", rtol=rtol,
                           atol=rtol * 1e-3)
            errors.append(np.max(np.abs(sol.y[-1] - exact)))
            nfev.append(sol.nfev)
        slope = fitted_slope(nfev, errors)
        base = f"convergence/{problem}/rk45"
        results.add(f"{base}/rtol", rtols, units="1")
        results.add(f"{base}/error", errors, units="1")
        results.add(f"{base}/nfev", nfev, units="1")
        results.set_attrs(base, slope=slope, slope_against="nfev")
        results.metrics[f"slope_{problem}_rk45_vs_nfev"] = slope
        log.info("%s rk45: error %.2e..%.2e over rtol %.0e..%.0e", problem,
                 errors[0], errors[-1], rtols[0], rtols[-1])
    return results


def plot(results, outdir):
    problems_ = results.children("convergence")
    fig, axes = figure(len(problems_), 2, width=5.5, height=4.0)
    axes = np.atleast_2d(axes)
    for row, problem in zip(axes, problems_):
        base = f"convergence/{problem}"
        methods = results.children(base)
        fixed = [m for m in methods if f"{base}/{m}/dt" in results]
        plot_loglog({m: (results[f"{base}/{m}/dt"], results[f"{base}/{m}/error"])
                     for m in fixed}, ax=row[0], xlabel="step size dt",
                    ylabel="global error at t_end", title=f"{problem}: error vs dt",
                    slopes={m: results.attrs[f"{base}/{m}"]["slope"] for m in fixed})
        plot_loglog({m: (results[f"{base}/{m}/nfev"], results[f"{base}/{m}/error"])
                     for m in methods}, ax=row[1],
                    xlabel="right-hand-side evaluations",
                    ylabel="global error at t_end", title=f"{problem}: error vs work")
    return [save_figure(fig, outdir / "convergence.png")]
