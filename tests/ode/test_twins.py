"""The compiled kernels and their plain-numpy twins give the same answers."""

import numpy as np
import pytest

import neurosim as ns

from .problems import lif, lif_reset, lif_threshold, van_der_pol
from .test_events import half, position
from .problems import decay, oscillator


def _py(event):
    return ns.Event(event.function.py_func, direction=event.direction,
                    terminal=event.terminal,
                    reset=None if event.reset is None else event.reset.py_func)


def assert_twins(f, span, y0, events=(), **kwargs):
    """Same steps, same counters, the same bits.

    The twins do the same floating-point operations in the same order, so they
    agree exactly — except where an event is located: ``brentq`` and the kernel's
    Brent each stop on a bracket within 2 eps |t| + 6 eps h of the root (their
    tolerances, in time), so event times may differ by twice that, 16 eps |t| at
    most over a step h <= |t|; a state read there (the event's state, the stop
    before a reset) by |y'| times that, plus the rounding of the interpolant,
    4 eps |y|. Later steps start from identical resets and states.
    """
    eps = np.finfo(float).eps
    events = list(events)
    args = kwargs.get("args", ())
    compiled = ns.solve(f, span, y0, events=events, **kwargs)
    twin = ns.solve(f.py_func, span, y0, events=[_py(e) for e in events], **kwargs)
    assert compiled.nsteps == twin.nsteps
    assert compiled.nrejected == twin.nrejected
    assert compiled.nfev == twin.nfev
    assert compiled.status == twin.status
    if not events:
        np.testing.assert_array_equal(compiled.t, twin.t)
        np.testing.assert_array_equal(compiled.y, twin.y)
        if kwargs.get("dense_output"):
            t = np.linspace(*span, 101)
            np.testing.assert_array_equal(compiled(t), twin(t))
        return compiled
    t_tol = 16 * eps * max(abs(span[0]), abs(span[1]))
    slope = max(np.abs(f(t, y, *args)).max() for t, y in zip(compiled.t, compiled.y))
    y_tol = slope * t_tol + 4 * eps * np.abs(compiled.y).max()
    np.testing.assert_allclose(compiled.t, twin.t, rtol=0, atol=t_tol)
    np.testing.assert_allclose(compiled.y, twin.y, rtol=0, atol=y_tol)
    for a, b in zip(compiled.t_events, twin.t_events):
        np.testing.assert_allclose(a, b, rtol=0, atol=t_tol)
    for a, b in zip(compiled.y_events, twin.y_events):
        np.testing.assert_allclose(a, b, rtol=0, atol=y_tol)
    if kwargs.get("dense_output"):
        t = np.linspace(*span, 101)
        np.testing.assert_allclose(compiled(t), twin(t), rtol=0, atol=y_tol)
    return compiled


@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_fixed_step_twins(method):
    assert_twins(van_der_pol, (0.0, 5.0), np.array([2.0, 0.0]), method=method, dt=0.01,
                 args=(1.0,), dense_output=True)


@pytest.mark.parametrize("controller", ["standard", "pi"])
def test_adaptive_twins(controller):
    sol = assert_twins(van_der_pol, (0.0, 20.0), np.array([2.0, 0.0]), args=(3.0,),
                       rtol=1e-7, atol=1e-10, controller=controller, dense_output=True)
    assert sol.nrejected > 0  # the comparison covers rejected steps too


def test_twins_with_t_eval_first_step_and_max_step():
    assert_twins(oscillator, (0.0, 10.0), np.array([1.0, 0.0]),
                 t_eval=np.linspace(0.0, 10.0, 33), first_step=1e-3, max_step=0.5)


@pytest.mark.parametrize("method, dt", [("rk45", None), ("rk4", 1e-4)])
def test_twins_with_resets(method, dt):
    kw = dict(rtol=1e-10, atol=1e-12) if dt is None else dict(dt=dt)
    event = ns.Event(lif_threshold, direction=1, reset=lif_reset)
    sol = assert_twins(lif, (0.0, 0.3), np.array([0.0]), events=[event],
                       method=method, args=(3.0, 0.02), dense_output=True, **kw)
    assert sol.t_events[0].size > 10


def test_twins_with_several_and_terminal_events():
    assert_twins(oscillator, (0.0, 30.0), np.array([1.0, 0.0]),
                 events=[ns.Event(position, terminal=4), ns.Event(half, direction=-1)],
                 rtol=1e-9, atol=1e-12)


def test_twins_on_a_python_callable_args_mixture():
    sol = assert_twins(decay, (0.0, 1.0), np.array([1.0, 2.0]), rtol=1e-8)
    np.testing.assert_allclose(sol.y[-1], np.exp(-1.0) * np.array([1.0, 2.0]),
                               rtol=1e-7)
