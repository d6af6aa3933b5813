"""solve_batch: many independent systems, each with its own step and events."""

import numpy as np
import pytest
from numba import njit

import neurosim as ns

from .problems import lif_reset


@njit(cache=True)
def scaled_decay(t, y, row):
    return -row[0] * y


@njit(cache=True)
def lif_row(t, y, row, tau):
    return (row[0] - y) / tau


@njit(cache=True)
def lif_row_threshold(t, y, row, tau):
    return y[0] - 1.0


def _lif_event():
    return ns.Event(lif_row_threshold, direction=1, reset=lif_reset)


def test_batch_matches_closed_form_and_single_solves():
    rates = np.array([[0.5], [1.0], [2.0], [4.0]])
    Y0 = np.ones((4, 2))
    t_eval = np.linspace(0.0, 2.0, 21)
    batch = ns.ode.solve_batch(scaled_decay, (0.0, 2.0), Y0, params=rates,
                               t_eval=t_eval, rtol=1e-10, atol=1e-12)
    assert batch.y.shape == (4, 21, 2)
    exact = np.exp(-rates[:, :, None] * t_eval[None, :, None]) * np.ones((1, 1, 2))
    np.testing.assert_allclose(batch.y, exact, rtol=1e-8)
    for i in range(4):
        single = ns.solve(lambda t, y, k=rates[i, 0]: -k * y, (0.0, 2.0), Y0[i],
                          t_eval=t_eval, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(batch.y[i], single.y, rtol=1e-12)
        assert batch.nsteps[i] == single.nsteps
    assert len(set(batch.nsteps)) > 1  # each system chose its own steps


def test_batch_spike_trains_beyond_the_initial_event_capacity():
    drives = np.array([[1.5], [3.0], [30.0]])
    tau = 0.02
    batch = ns.ode.solve_batch(lif_row, (0.0, 1.0), np.zeros((3, 1)), params=drives,
                               args=(tau,), events=_lif_event(), rtol=1e-11,
                               atol=1e-13)
    for i, drive in enumerate(drives[:, 0]):
        isi = tau * np.log(drive / (drive - 1.0))
        spikes = batch.t_events[0][i]
        assert spikes.size == int(1.0 // isi)
        np.testing.assert_allclose(np.diff(spikes), isi, atol=1e-9)
    assert batch.t_events[0][2].size > 64


def test_batch_compiled_equals_numpy_twin():
    drives = np.array([[1.5], [3.0], [8.0]])
    kwargs = dict(params=drives, args=(0.02,), rtol=1e-9, atol=1e-12,
                  t_eval=np.linspace(0.0, 0.5, 11))
    compiled = ns.ode.solve_batch(lif_row, (0.0, 0.5), np.zeros((3, 1)),
                                  events=_lif_event(), **kwargs)
    twin = ns.ode.solve_batch(lif_row.py_func, (0.0, 0.5), np.zeros((3, 1)),
                              events=ns.Event(lif_row_threshold.py_func, direction=1,
                                              reset=lif_reset.py_func), **kwargs)
    np.testing.assert_array_equal(compiled.nsteps, twin.nsteps)
    np.testing.assert_array_equal(compiled.nfev, twin.nfev)
    np.testing.assert_allclose(compiled.y, twin.y, rtol=1e-10, atol=1e-13)
    for a, b in zip(compiled.t_events[0], twin.t_events[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_batch_fixed_step_and_terminal_stop():
    drives = np.array([[2.0], [5.0]])
    event = ns.Event(lif_row_threshold, direction=1, terminal=True)
    batch = ns.ode.solve_batch(lif_row, (0.0, 0.1), np.zeros((2, 1)), params=drives,
                               args=(0.02,), method="rk4", dt=1e-4, events=event,
                               t_eval=np.array([0.004, 0.1]))
    np.testing.assert_array_equal(batch.status, [1, 1])
    np.testing.assert_allclose(batch.t_stop, 0.02 * np.log(drives[:, 0]
                                                           / (drives[:, 0] - 1)),
                               atol=1e-9)
    assert np.all(np.isnan(batch.y[:, 1]))  # no output after the stop
    assert np.all(np.isfinite(batch.y[:, 0]))


def test_batch_validates_its_inputs():
    with pytest.raises(ValueError, match="Y0 must be 2-dimensional"):
        ns.ode.solve_batch(scaled_decay, (0.0, 1.0), np.ones(3))
    with pytest.raises(ValueError, match="one row per system"):
        ns.ode.solve_batch(scaled_decay, (0.0, 1.0), np.ones((3, 1)),
                           params=np.ones((2, 1)))
