"""Accuracy of the integrators against closed forms and scipy's solve_ivp."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns

from .problems import (ARENSTORF_PERIOD, ARENSTORF_Y0, arenstorf, decay, fitted_slope,
                       lorenz, oscillator, van_der_pol)

EXPECTED_SLOPE = {"euler": (1.0, 0.1), "heun": (2.0, 0.15), "rk4": (4.0, 0.25)}
STEPS = {"euler": [0.1, 0.05, 0.025, 0.0125, 0.00625],
         "heun": [0.1, 0.05, 0.025, 0.0125, 0.00625],
         "rk4": [0.2, 0.1, 0.05, 0.025, 0.0125]}  # stays above rounding error


def _global_errors(method, f, y0, t_end, exact):
    return [np.max(np.abs(ns.solve(f, (0.0, t_end), y0, method=method, dt=dt).y[-1]
                          - exact)) for dt in STEPS[method]]


@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_fixed_step_convergence_order(method):
    expected, tol = EXPECTED_SLOPE[method]
    decay_err = _global_errors(method, decay, [1.0], 1.0, np.exp(-1.0))
    osc_err = _global_errors(method, oscillator, [1.0, 0.0], 2 * np.pi,
                             np.array([1.0, 0.0]))
    for errors in (decay_err, osc_err):
        assert fitted_slope(STEPS[method], errors) == pytest.approx(expected, abs=tol)


def test_rk45_error_falls_with_rtol():
    rtols = [1e-3, 1e-5, 1e-7, 1e-9, 1e-11]
    errors = [abs(ns.solve(decay, (0.0, 5.0), [1.0], rtol=r, atol=1e-14).y[-1, 0]
                  - np.exp(-5.0)) for r in rtols]
    assert all(a > b for a, b in zip(errors, errors[1:]))
    assert errors[-1] < 1e-10


def test_fixed_grid_ends_exactly_at_t1():
    sol = ns.solve(decay, (0.0, 1.0), [1.0], method="rk4", dt=0.3)
    np.testing.assert_allclose(sol.t, [0.0, 0.3, 0.6, 0.9, 1.0], rtol=0, atol=1e-15)
    assert sol.t[-1] == 1.0


PROBLEMS = {
    "van_der_pol": (van_der_pol, (0.0, 20.0), np.array([2.0, 0.0]), (1.0,)),
    "lorenz": (lorenz, (0.0, 2.0), np.array([1.0, 1.0, 1.0]), ()),
    "arenstorf": (arenstorf, (0.0, ARENSTORF_PERIOD), ARENSTORF_Y0, ()),
}


@pytest.mark.parametrize("name", PROBLEMS)
@pytest.mark.parametrize("rtol, atol", [(1e-4, 1e-7), (1e-6, 1e-9), (1e-9, 1e-12)])
def test_rk45_matches_scipy_steps_and_accuracy(name, rtol, atol):
    f, span, y0, args = PROBLEMS[name]
    reference = solve_ivp(f.py_func, span, y0, method="DOP853", args=args, rtol=1e-12,
                          atol=1e-12).y[:, -1]
    theirs = solve_ivp(f.py_func, span, y0, method="RK45", args=args, rtol=rtol,
                       atol=atol)
    ours = ns.solve(f, span, y0, method="rk45", args=args, rtol=rtol, atol=atol)
    scipy_steps = theirs.t.size - 1
    assert abs(ours.nsteps - scipy_steps) <= 0.15 * scipy_steps
    their_error = np.max(np.abs(theirs.y[:, -1] - reference))
    our_error = np.max(np.abs(ours.y[-1] - reference))
    assert our_error <= 2 * their_error


@pytest.mark.parametrize("name", PROBLEMS)
def test_pi_controller_stays_close_to_the_standard_one(name):
    f, span, y0, args = PROBLEMS[name]
    reference = solve_ivp(f.py_func, span, y0, method="DOP853", args=args, rtol=1e-12,
                          atol=1e-12).y[:, -1]
    standard = ns.solve(f, span, y0, args=args, rtol=1e-7, atol=1e-10)
    pi = ns.solve(f, span, y0, args=args, rtol=1e-7, atol=1e-10, controller="pi")
    assert abs(pi.nsteps - standard.nsteps) <= 0.15 * standard.nsteps
    assert np.max(np.abs(pi.y[-1] - reference)) <= 2 * np.max(
        np.abs(standard.y[-1] - reference))


@pytest.mark.parametrize("method, dt, tol", [("rk45", None, 1e-7), ("rk4", 1e-2, 1e-8),
                                             ("heun", 1e-3, 1e-5)])
def test_dense_output_and_t_eval_follow_the_exact_solution(method, dt, tol):
    t_eval = np.linspace(0.0, 10.0, 77)
    kw = dict(rtol=1e-9, atol=1e-12) if dt is None else dict(dt=dt)
    sol = ns.solve(oscillator, (0.0, 10.0), [1.0, 0.0], method=method,
                   dense_output=True, **kw)
    exact = np.column_stack([np.cos(t_eval), -np.sin(t_eval)])
    np.testing.assert_allclose(sol(t_eval), exact, atol=tol)
    at_eval = ns.solve(oscillator, (0.0, 10.0), [1.0, 0.0], method=method,
                       t_eval=t_eval, **kw)
    np.testing.assert_array_equal(at_eval.t, t_eval)
    np.testing.assert_allclose(at_eval.y, sol(t_eval), rtol=0, atol=1e-14)
    np.testing.assert_allclose(sol(sol.t), sol.y, rtol=0, atol=1e-14)
    assert sol(2.5).shape == (2,)
    with pytest.raises(ValueError, match="within the integrated span"):
        sol(10.5)


def test_solution_without_dense_output_says_how_to_get_it():
    sol = ns.solve(decay, (0.0, 1.0), [1.0])
    with pytest.raises(ValueError, match="dense_output=True"):
        sol(0.5)
