"""LIF: the rate curve, exact stepping, rk45 with events, dimensional form, twins."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.neurons import lif as lif_module

TAU, TAU_REF = 0.02, 0.002


def analytic_rate(J, tau=TAU, tau_ref=TAU_REF, v_reset=0.0):
    return 1.0 / (tau_ref + tau * math.log((J - v_reset) / (J - 1.0))) if J > 1 else 0.0


def test_rate_curve_is_the_course_formula():
    J = np.array([-1.0, 0.0, 0.5, 1.0, 1.0 + 1e-12, 1.05, 2.0, 10.0, 1e6])
    course = [1.0 / (TAU_REF - TAU * math.log(1.0 - 1.0 / j)) if j > 1 else 0.0
              for j in J]
    np.testing.assert_allclose(ns.LIF().rates(J), course, rtol=1e-12)
    assert ns.LIF().rates(1e9) == pytest.approx(1.0 / TAU_REF, rel=1e-6)
    assert ns.LIF().rates(np.zeros((2, 3))).shape == (2, 3)


def test_exact_stepping_reproduces_the_rate_curve_at_one_millisecond():
    J = np.concatenate([np.linspace(-1.0, 1.0, 9), np.geomspace(1.05, 10.0, 40)])
    run = ns.simulate(ns.LIF(), J, 2.0, dt=1e-3, record=())
    simulated = np.array([ns.neurons.spike_rate(s, 0.0, 2.0) for s in run.spike_times])
    expected = ns.LIF().rates(J)
    below = J <= 1.0
    assert np.all(simulated[below] == 0.0)
    assert np.max(np.abs(simulated[~below] / expected[~below] - 1.0)) < 0.005
    # in fact to rounding: spikes are placed at their exact times
    assert np.max(np.abs(simulated[~below] / expected[~below] - 1.0)) < 1e-9


@pytest.mark.parametrize("J", [1.05, 2.0, 10.0])
def test_exact_spike_times_are_the_closed_form(J):
    run = ns.simulate(ns.LIF(), J, 1.0, dt=1e-3, record=())
    first = TAU * math.log(J / (J - 1.0))
    period = 1.0 / analytic_rate(J)
    expected = first + period * np.arange(run.spike_times[0].size)
    assert expected[-1] <= 1.0 < expected[-1] + period
    np.testing.assert_allclose(run.spike_times[0], expected, rtol=0, atol=1e-12)


def test_refractory_period_carries_across_steps_and_holds_v():
    lif = ns.LIF(tau_ref=0.0035)
    run = ns.simulate(lif, 5.0, 0.1, dt=1e-3)
    spikes = run.spike_times[0]
    np.testing.assert_allclose(np.diff(spikes), 1.0 / analytic_rate(5.0, tau_ref=0.0035),
                               atol=1e-12)
    for s in spikes:
        held = (run.t > s + 1e-12) & (run.t <= s + 0.0035)
        assert np.all(run.v[held, 0] == 0.0)


def test_rk45_with_events_gives_the_same_spikes():
    J = np.array([1.2, 3.0, 8.0])
    exact = ns.simulate(ns.LIF(), J, 0.5, dt=1e-3, record=())
    adaptive = ns.simulate(ns.LIF(), J, 0.5, dt=1e-3, method="rk45", rtol=1e-10,
                           atol=1e-12, record=("v",))
    for a, b in zip(exact.spike_times, adaptive.spike_times):
        assert a.size == b.size
        np.testing.assert_allclose(a, b, atol=1e-9)
    assert adaptive.v.shape == (501, 3) and np.all(adaptive.v < 1.0 + 1e-9)


def test_euler_is_the_naive_grid_scheme_and_is_less_accurate():
    run = ns.simulate(ns.LIF(), 2.0, 2.0, dt=1e-3, method="euler", record=())
    spikes = run.spike_times[0]
    np.testing.assert_allclose(spikes / 1e-3, np.round(spikes / 1e-3), atol=1e-9)
    rate = ns.neurons.spike_rate(spikes, 0.0, 2.0)
    assert abs(rate / analytic_rate(2.0) - 1.0) > 0.005


def test_dimensional_form_maps_onto_the_normalised_one():
    lif = ns.LIF.from_dimensional(V_rest=-0.07, V_th=-0.05, V_reset=-0.075, R=1e8,
                                  C=2e-10, tau_ref=0.002)
    assert lif.tau_rc == pytest.approx(0.02)
    assert lif.v_reset == pytest.approx(-0.25)
    current = 0.4e-9  # A: R I = 40 mV, twice the 20 mV to threshold
    J = current * ns.LIF.input_scale(R=1e8, V_rest=-0.07, V_th=-0.05)
    assert J == pytest.approx(2.0)
    # direct check of the dimensional model: time from V_reset to V_th
    t_up = 0.02 * math.log((1e8 * current - (-0.075 + 0.07)) / (1e8 * current - 0.02))
    assert lif.rates(J) == pytest.approx(1.0 / (0.002 + t_up), rel=1e-12)
    run = ns.simulate(lif, J, 1.0, dt=1e-3, initial_state={"v": -0.25}, record=())
    np.testing.assert_allclose(np.diff(run.spike_times[0]), 0.002 + t_up, atol=1e-12)
    with pytest.raises(ValueError, match="exactly one of C"):
        ns.LIF.from_dimensional(-0.07, -0.05, -0.07, 1e8, 0.002)


def test_min_voltage_floors_v():
    run = ns.simulate(ns.LIF(min_voltage=0.0), -5.0, 0.05, dt=1e-3)
    assert np.all(run.v >= 0.0)
    free = ns.simulate(ns.LIF(), -5.0, 0.05, dt=1e-3)
    assert free.v[-1, 0] == pytest.approx(-5.0 * (1 - math.exp(-0.05 / TAU)),
                                          rel=1e-12)


@pytest.mark.parametrize("method", ["exact", "euler"])
def test_compiled_kernel_equals_its_numpy_twin(method):
    J = np.array([-0.5, 0.9, 1.01, 1.7, 6.0, 40.0])
    table = np.vstack([np.full(300, j) for j in J]).T * np.linspace(0.5, 1.5, 300)[:, None]
    run = ns.simulate(ns.LIF(tau_ref=0.003), table, 0.3, dt=1e-3, method=method)
    v, ref, twin = lif_module.run_numpy(lif_module.METHOD_CODES[method], np.zeros(6),
                                        np.zeros(6), table, 1, 1e-3, 300,
                                        ns.LIF(tau_ref=0.003).packed())
    np.testing.assert_allclose(run.v[-1], v, rtol=1e-12, atol=1e-14)
    for ours, theirs in zip(run.spike_times, twin):
        assert ours.size == theirs.size
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(tau_rc=0.0), ValueError, r"tau_rc \(s\) must be > 0"),
    (dict(tau_ref=-0.001), ValueError, r"tau_ref \(s\) must be >= 0"),
    (dict(v_reset=1.0), ValueError, "v_reset must be below the threshold 1"),
    (dict(min_voltage=0.5), ValueError, "min_voltage must be <= v_reset"),
    (dict(tau_rc="fast"), TypeError, r"tau_rc \(s\) must be a real number"),
])
def test_parameters_are_validated(kwargs, error, match):
    with pytest.raises(error, match=match):
        ns.LIF(**kwargs)
