"""Hodgkin–Huxley: rates, spike times against an independent reference, f–I facts,
compiled kernels against their numpy twins, divergence."""

import numpy as np
import pytest
from numba import njit

import neurosim as ns
from neurosim.neurons import hh_kernels
from neurosim.neurons.hh import derivatives, rates, rates_numpy

from . import reference_hh


@njit
def _rates_array(v):
    out = np.empty((6, v.size))
    for i in range(v.size):
        values = rates(v[i])
        for j in range(6):
            out[j, i] = values[j]
    return out


def test_compiled_rates_equal_the_textbook_formulas():
    v = np.concatenate([np.linspace(-120.0, 80.0, 2001),
                        [-40.0, -55.0, -40.0 + 1e-9, -55.0 - 1e-7, -39.99, -55.02]])
    compiled = _rates_array(v)
    twin = np.array(rates_numpy(v))
    independent = np.array([reference_hh.rates(x) for x in v]).T
    np.testing.assert_allclose(compiled, twin, rtol=1e-13)
    np.testing.assert_allclose(compiled, independent, rtol=1e-13)


def test_removable_singularities_are_finite_and_continuous():
    eps = 1e-6
    for v0, index, limit in ((-40.0, 0, 1.0), (-55.0, 4, 0.1)):
        values = _rates_array(np.array([v0 - eps, v0, v0 + eps]))[index]
        assert np.all(np.isfinite(values))
        assert values[1] == pytest.approx(limit, rel=1e-15)
        assert abs(values[2] - values[0]) < 1e-6


def test_resting_state_is_an_equilibrium_of_the_gates():
    state = ns.HodgkinHuxley().initial_state(1)
    dv, dm, dh, dn = derivatives(-65.0, state["m"][0], state["h"][0], state["n"][0],
                                 0.0, ns.HodgkinHuxley().packed())
    assert abs(dm) < 1e-15 and abs(dh) < 1e-15 and abs(dn) < 1e-15
    assert abs(dv) < 0.1  # E_L = -54.387 is chosen so that -65 mV is near rest


@pytest.fixture(scope="module")
def reference_spikes():
    return reference_hh.spike_times_ms(10.0, 1000.0)


@pytest.mark.parametrize("method, dt, tolerance_ms", [
    ("rk45", None, 1e-3), ("rk4", 1e-5, 0.01), ("euler", 1e-5, 0.5),
    ("exp_euler", 1e-5, 0.1),
])
def test_spike_times_match_an_independent_reference(reference_spikes, method, dt,
                                                    tolerance_ms):
    options = dict(rtol=1e-8, atol=1e-10) if method == "rk45" else dict(dt=dt)
    run = ns.simulate(ns.HodgkinHuxley(), 10.0, 1.0, method=method, record=(),
                      **options)
    ours = run.spike_times[0] * 1e3
    assert reference_spikes.size == 69
    assert ours.size == reference_spikes.size
    assert np.max(np.abs(ours - reference_spikes)) < tolerance_ms


@pytest.mark.parametrize("method", ["exp_euler", "rk4", "rk45"])
def test_fi_facts_class_two_onset(method):
    rates_hz = ns.rates(ns.HodgkinHuxley(), [6.2, 6.3, 10.0], method=method)
    assert rates_hz[0] == 0.0
    assert 52.0 <= rates_hz[1] <= 54.0
    assert 68.0 <= rates_hz[2] <= 69.0


@pytest.mark.parametrize("method", ["euler", "rk4", "exp_euler"])
def test_compiled_population_kernel_equals_its_numpy_twin(method):
    hh = ns.HodgkinHuxley()
    currents = np.array([0.0, 5.0, 7.5, 10.0, 15.0])
    run = ns.simulate(hh, currents, 0.05, dt=2e-5, method=method, record=())
    state = [hh.initial_state(currents.size)[k] for k in hh.state_names]
    _, twin_spikes, fail = hh_kernels.run_numpy(
        hh_kernels.METHOD_CODES[method], state, currents[None, :], 0, 0.02, 2500,
        hh.packed())
    assert np.all(fail == -1)
    for ours, twin in zip(run.spike_times, twin_spikes):
        assert ours.size == twin.size
        np.testing.assert_allclose(ours * 1e3, twin, rtol=0, atol=1e-9)


def test_recording_matches_a_final_state_and_thins_with_record_every():
    hh = ns.HodgkinHuxley()
    full = ns.simulate(hh, [3.0, 10.0], 0.01, dt=1e-5, record=("v", "m", "h", "n"))
    thin = ns.simulate(hh, [3.0, 10.0], 0.01, dt=1e-5, record=("v", "n"),
                       record_every=1e-4)
    assert full.v.shape == (1001, 2) and thin.v.shape == (101, 2)
    np.testing.assert_array_equal(thin.v, full.v[::10])
    np.testing.assert_array_equal(thin.n, full.n[::10])
    np.testing.assert_allclose(thin.t, np.arange(101) * 1e-4)
    assert full.v[0, 0] == -65.0


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_divergence_at_a_large_step_is_reported_and_keeps_results(method):
    with pytest.raises(ns.SimulationError) as info:
        ns.simulate(ns.HodgkinHuxley(), [0.0, 10.0], 0.2, dt=1e-4, method=method)
    err = info.value
    message = str(err)
    assert f"method {method!r} (dt=0.1 ms)" in message
    assert "neuron 1's state went non-finite" in message
    assert "try a smaller dt" in message and "'rk45'" in message
    assert err.system == 1 and err.method == method and err.step == 1e-4
    assert 0.0 < err.t < 0.2
    partial = err.partial
    assert partial.t[-1] <= err.t and np.all(np.isfinite(partial.v))
    assert partial.v.shape[0] == partial.t.size
    assert np.all(np.isfinite(partial.v[:, 0]))  # the quiet neuron is fine


def test_time_varying_current_is_held_per_step():
    hh = ns.HodgkinHuxley()
    steps = 5000
    table = np.zeros((steps, 1))
    table[1000:] = 10.0  # a step at 10 ms
    stepped = ns.simulate(hh, table, 0.05, dt=1e-5, record=())
    as_callable = ns.simulate(hh, lambda t: np.where(t >= 0.01 - 1e-12, 10.0, 0.0),
                              0.05, dt=1e-5, record=())
    np.testing.assert_array_equal(stepped.spike_times[0], as_callable.spike_times[0])
    assert stepped.spike_times[0][0] > 0.01


@pytest.mark.parametrize("kwargs, match", [
    (dict(C=0.0), r"C \(capacitance, uF/cm\^2\) must be > 0"),
    (dict(g_K=-1.0), r"g_K \(conductance, mS/cm\^2\) must be >= 0"),
    (dict(E_Na=float("nan")), r"E_Na \(mV\) must be finite"),
])
def test_parameters_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ns.HodgkinHuxley(**kwargs)
