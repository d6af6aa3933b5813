"""Events located on the dense output, with direction, terminal and reset."""

import numpy as np
import pytest
from numba import njit

import neurosim as ns

from .problems import decay, lif, lif_reset, lif_threshold, oscillator


@njit(cache=True)
def half(t, y):
    return y[0] - 0.5


@njit(cache=True)
def position(t, y):
    return y[0]


def test_crossing_time_of_exponential_decay_is_ln2():
    sol = ns.solve(decay, (0.0, 2.0), [1.0], events=half, rtol=1e-12, atol=1e-14)
    assert sol.t_events[0].shape == (1,)
    assert abs(sol.t_events[0][0] - np.log(2.0)) < 1e-10
    assert abs(sol.y_events[0][0, 0] - 0.5) < 1e-10


def test_python_event_on_compiled_f_gives_the_same_time():
    with pytest.warns(UserWarning, match="numpy loop"):
        sol = ns.solve(decay, (0.0, 2.0), [1.0], events=half.py_func, rtol=1e-12,
                       atol=1e-14)
    assert abs(sol.t_events[0][0] - np.log(2.0)) < 1e-10


@pytest.mark.parametrize("drive", [1.2, 2.0, 10.0])
def test_lif_with_reset_has_the_analytic_interspike_interval(drive):
    tau = 0.02
    event = ns.Event(lif_threshold, direction=1, reset=lif_reset)
    sol = ns.solve(lif, (0.0, 1.0), [0.0], args=(drive, tau), events=event,
                   rtol=1e-12, atol=1e-14)
    spikes = sol.t_events[0]
    isi = np.diff(np.concatenate([[0.0], spikes]))
    expected = tau * np.log(drive / (drive - 1.0))
    assert spikes.size == int(1.0 // expected)
    np.testing.assert_allclose(isi, expected, rtol=0, atol=1e-9)
    # The trajectory shows each spike twice: at threshold, then reset to 0.
    at_spikes = np.flatnonzero(np.isin(sol.t, spikes))
    assert at_spikes.size == 2 * spikes.size
    np.testing.assert_allclose(sol.y[at_spikes[0::2], 0], 1.0, atol=1e-9)
    np.testing.assert_array_equal(sol.y[at_spikes[1::2], 0], 0.0)


def test_lif_reset_on_a_fixed_grid_keeps_the_grid():
    tau, drive, dt = 0.02, 2.0, 1e-4
    event = ns.Event(lif_threshold, direction=1, reset=lif_reset)
    sol = ns.solve(lif, (0.0, 0.2), [0.0], method="rk4", dt=dt, args=(drive, tau),
                   events=event)
    isi = np.diff(np.concatenate([[0.0], sol.t_events[0]]))
    np.testing.assert_allclose(isi, tau * np.log(2.0), rtol=0, atol=1e-9)
    grid = sol.t[~np.isin(sol.t, sol.t_events[0])]
    assert grid.size == round(0.2 / dt) + 1
    np.testing.assert_allclose(grid / dt, np.arange(grid.size), rtol=0, atol=1e-6)


@pytest.mark.parametrize("direction, expected", [
    (0, np.pi * (np.arange(6) + 0.5)),
    (1, np.pi * (np.arange(1, 6, 2) + 0.5)),
    (-1, np.pi * (np.arange(0, 6, 2) + 0.5)),
])
def test_direction_selects_crossings(direction, expected):
    sol = ns.solve(oscillator, (0.0, 6 * np.pi - 0.1), [1.0, 0.0],
                   events=ns.Event(position, direction=direction), rtol=1e-12,
                   atol=1e-14)
    np.testing.assert_allclose(sol.t_events[0], expected, atol=1e-10)


@pytest.mark.parametrize("terminal, n", [(True, 1), (3, 3)])
def test_terminal_event_stops_at_the_given_occurrence(terminal, n):
    sol = ns.solve(oscillator, (0.0, 20.0), [1.0, 0.0],
                   events=ns.Event(position, terminal=terminal), rtol=1e-10,
                   atol=1e-12, dense_output=True)
    assert sol.status == 1 and sol.success
    assert sol.t_events[0].size == n
    assert sol.t[-1] == sol.t_events[0][-1]
    assert sol.t[-1] == pytest.approx(np.pi * (n - 0.5), abs=1e-9)
    assert sol(sol.t[-1])[0] == pytest.approx(0.0, abs=1e-9)


def test_scipy_style_attributes_are_read():
    @njit
    def crossing(t, y):
        return y[0]
    crossing.terminal = True
    crossing.direction = -1
    sol = ns.solve(oscillator, (0.0, 20.0), [1.0, 0.0], events=crossing, rtol=1e-10)
    assert sol.status == 1
    assert sol.t_events[0] == pytest.approx([np.pi / 2], abs=1e-8)


def test_several_events_are_recorded_in_time_order():
    sol = ns.solve(oscillator, (0.0, 10.0), [1.0, 0.0],
                   events=[position, ns.Event(half)], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(sol.t_events[0], np.pi * (np.arange(3) + 0.5),
                               atol=1e-9)
    # cos t = 0.5 at t = pi/3, 5 pi/3, 7 pi/3 within [0, 10]
    np.testing.assert_allclose(sol.t_events[1], np.pi / 3 * np.array([1, 5, 7]),
                               atol=1e-9)


def test_event_values_at_the_located_states_are_zero():
    sol = ns.solve(oscillator, (0.0, 10.0), [1.0, 0.0], events=position, rtol=1e-8)
    np.testing.assert_allclose(sol.y_events[0][:, 0], 0.0, atol=1e-7)


def test_fixed_step_event_is_located_on_the_hermite_interpolant():
    sol = ns.solve(decay, (0.0, 2.0), [1.0], method="rk4", dt=0.05, events=half)
    assert abs(sol.t_events[0][0] - np.log(2.0)) < 1e-6
