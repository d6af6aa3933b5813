"""Bad arguments are refused with a clear message; divergence raises and keeps data."""

import numpy as np
import pytest
from numba import njit

import neurosim as ns

from .problems import blow_up, decay


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(t_span=(1.0, 0.0)), ValueError, r"t_span must be increasing .*\(1.0, 0.0\)"),
    (dict(t_span=(0.0, 0.0)), ValueError, "t_span must be increasing"),
    (dict(t_span=(0.0, np.inf)), ValueError, r"t_span\[1\] must be finite"),
    (dict(t_span=5.0), ValueError, "t_span must be a pair"),
    (dict(y0=[[1.0]]), ValueError, r"y0 must be 1-dimensional, got shape \(1, 1\)"),
    (dict(y0=[np.nan]), ValueError, "y0 must be finite, got nan"),
    (dict(y0=[]), ValueError, "y0 must hold at least one component"),
    (dict(rtol=0.0), ValueError, "rtol must be > 0, got 0.0"),
    (dict(atol=-1.0), ValueError, "atol must be > 0"),
    (dict(atol=[1e-9, 1e-9]), ValueError, r"atol must be a scalar or have shape \(1,\)"),
    (dict(method="rk4"), ValueError, "method 'rk4' takes a fixed step: pass dt > 0"),
    (dict(method="euler", dt=0.0), ValueError, "dt must be > 0, got 0.0"),
    (dict(method="rk4", dt=-0.1), ValueError, "dt must be > 0, got -0.1"),
    (dict(dt=0.1), ValueError, "dt=0.1 is for fixed-step methods"),
    (dict(method="rk2"), ValueError, r"method must be one of \['dopri5', 'euler'"),
    (dict(method=3), TypeError, "method must be a string"),
    (dict(t_eval=[0.5, 2.0]), ValueError, "t_eval must lie within t_span"),
    (dict(t_eval=[0.5, 0.2]), ValueError, "t_eval must be strictly increasing"),
    (dict(args=1.0), TypeError, "args must be a tuple"),
    (dict(first_step=5.0), ValueError, "first_step must not exceed"),
    (dict(max_step=0.0), ValueError, "max_step must be > 0"),
    (dict(controller="fuzzy"), ValueError, r"controller must be one of \['pi', "),
    (dict(events=[3]), TypeError, r"events\[0\] must be callable"),
])
def test_bad_arguments_name_what_is_wrong(kwargs, error, match):
    args = dict(f=decay, t_span=(0.0, 1.0), y0=[1.0])
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ns.solve(**args)


def test_event_settings_are_checked():
    with pytest.raises(ValueError, match="event direction must be -1, 0 or 1, got 2"):
        ns.Event(lambda t, y: y[0], direction=2)
    with pytest.raises(ValueError, match="event terminal must be a bool or a count"):
        ns.Event(lambda t, y: y[0], terminal=-1)
    with pytest.raises(TypeError, match="event reset must be callable"):
        ns.Event(lambda t, y: y[0], reset=0.0)

    def g(t, y):
        return y[0]
    g.direction = 5
    with pytest.raises(ValueError, match="event direction"):
        ns.solve(decay, (0.0, 1.0), [1.0], events=g)


def test_f_must_be_callable_and_return_the_state_shape():
    with pytest.raises(TypeError, match="f must be callable"):
        ns.solve(1.0, (0.0, 1.0), [1.0])
    with pytest.raises(ValueError, match=r"must return an array of shape \(2,\)"):
        ns.solve(lambda t, y: np.ones(3), (0.0, 1.0), [1.0, 2.0])

    @njit
    def wrong(t, y):
        return np.ones(3)
    with pytest.raises(ValueError, match=r"must return an array of shape \(2,\)"):
        ns.solve(wrong, (0.0, 1.0), [1.0, 2.0])


@pytest.mark.parametrize("method, dt", [("euler", 0.01), ("rk4", 0.01), ("heun", 0.01)])
def test_fixed_step_divergence_raises_with_context_and_keeps_the_trajectory(method, dt):
    with pytest.raises(ns.SimulationError) as info:
        ns.solve(blow_up, (0.0, 2.0), [1.0], method=method, dt=dt)
    err = info.value
    message = str(err)
    assert f"method '{method}'" in message and f"dt={dt:g}" in message
    assert "non-finite" in message and "component 0" in message
    assert "smaller dt or method='rk45'" in message
    assert err.method == method and err.component == 0
    assert err.step == pytest.approx(dt)
    assert 0.9 < err.t < 2.0
    partial = err.partial
    assert partial.status == -1 and not partial.success
    assert partial.t[-1] == pytest.approx(err.t)
    assert np.all(np.isfinite(partial.y))
    # What was computed is the honest solution 1 / (1 - t) while it stays accurate.
    early = partial.t < 0.5
    np.testing.assert_allclose(partial.y[early, 0], 1.0 / (1.0 - partial.t[early]),
                               rtol=0.05)


def test_adaptive_divergence_raises_with_the_time_of_blow_up():
    with pytest.raises(ns.SimulationError) as info:
        ns.solve(blow_up, (0.0, 2.0), [1.0], rtol=1e-8, atol=1e-10)
    err = info.value
    assert err.t == pytest.approx(1.0, abs=1e-3)
    assert "method 'rk45' (rtol=1e-08, atol=1e-10" in str(err)
    assert err.partial.t[-1] == err.t
    assert err.partial.y[-1, 0] > 1e3


def test_batch_divergence_names_the_system():
    @njit
    def grow(t, y, row):
        return row[0] * y * y
    params = np.array([[0.1], [1.0], [0.2]])
    with pytest.raises(ns.SimulationError) as info:
        ns.ode.solve_batch(grow, (0.0, 2.0), np.ones((3, 1)), params=params,
                           method="rk4", dt=0.01)
    assert info.value.system == 1
    assert str(info.value).startswith("system 1, method 'rk4'")
    assert np.all(np.isfinite(info.value.partial.y[0]))


@njit(cache=True)
def with_arguments(t, y, scale, power, flag, vector, matrix):
    out = np.empty(y.shape[0])
    for j in range(y.shape[0]):
        out[j] = -scale * y[j] ** power * vector[j] * matrix[j, j]
    if flag:
        out[0] = 0.0
    return out


def test_numbers_and_arrays_pass_through_to_compiled_code():
    args = (2.0, 1, True, np.array([1.0, 0.5]), np.array([[1.0, 0.0], [0.0, 3.0]]))
    compiled = ns.solve(with_arguments, (0.0, 1.0), [1.0, 1.0], args=args, rtol=1e-10)
    python = ns.solve(with_arguments.py_func, (0.0, 1.0), [1.0, 1.0], args=args,
                      rtol=1e-10)
    assert compiled.nsteps == python.nsteps
    np.testing.assert_allclose(compiled.y, python.y, rtol=1e-5)
    np.testing.assert_allclose(compiled.y[-1], [1.0, np.exp(-3.0)], rtol=1e-8)


def test_arguments_compiled_code_cannot_take_fall_back_with_a_warning():
    @njit
    def with_string(t, y, name):
        return -y
    with pytest.warns(UserWarning, match="args holds a value that cannot be passed"):
        sol = ns.solve(with_string, (0.0, 1.0), [1.0], args=("x",), rtol=1e-10)
    assert sol.y[-1, 0] == pytest.approx(np.exp(-1.0), rel=1e-8)
