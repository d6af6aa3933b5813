"""``simulate`` for the models of neuron groups (neurosim/neurons/group_drive.py):
the same spikes as a one-group network, a current step against the closed form,
recorded states and divergence."""

import math

import numpy as np
import pytest

import neurosim as ns

MODELS = [
    (ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0, tau_ref=2.0),
     np.array([16.0, 20.0, 30.0]), 1e-4),
    (ns.AdaptiveIAF(), np.array([20.0, 30.0]), 1e-4),
    (ns.TraubMiles(), np.array([300.0, 600.0]), 1e-5),
    (ns.AdEx.preset("adapting"), np.array([400.0, 500.0]), 1e-5),
    (ns.Izhikevich.preset("CH"), np.array([5.0, 10.0]), 1e-4),
    (ns.EquationNeuron("dv/dt = (E - v + I)/tau", threshold="v >= -50",
                       reset="v = E", refractory=2.0, namespace={"E": -65.0, "tau": 20.0},
                       initial={"v": -65.0}), np.array([16.0, 20.0]), 1e-4),
]


@pytest.mark.parametrize("neuron, currents, dt", MODELS,
                         ids=lambda x: type(x).__name__ if isinstance(x, ns.NeuronType)
                         else None)
def test_simulate_gives_the_spikes_of_a_one_group_network(neuron, currents, dt):
    run = ns.simulate(neuron, currents, 0.3, dt=dt)
    net = ns.Network()
    g = net.group(currents.size, neuron, label="G", current=currents)
    net.probe(g, "spikes")
    v = net.probe(g, "voltage")
    res = ns.Simulator(net, dt=dt, seed=0).run(0.3)
    times, ids = run.spikes()
    assert times.size > 5
    np.testing.assert_array_equal(times, res.spikes["G"].times)
    np.testing.assert_array_equal(ids, res.spikes["G"].ids)
    np.testing.assert_array_equal(run.v[1:], res[v])


def test_a_current_step_against_the_iaf_closed_form():
    """Silent for 50 ms, then R I = 20 mV over θ − V_rest = 15 mV: spikes at
    t_on + τ ln(20/5), then every τ_ref + τ ln(20/5) (V_reset = V_rest). The
    linear placement of the crossing is second order: 2.1e-7 s at dt = 0.1 ms,
    2.1e-9 s at 0.01 ms."""
    iaf = ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0, tau_ref=2.0)
    run = ns.simulate(iaf, lambda t: np.where(t < 0.05, 0.0, 20.0), 0.2, dt=1e-4,
                      record=("v", "ref"))
    times = run.spike_times[0]
    first = 0.05 + 0.02 * math.log(4.0)
    want = first + (0.002 + 0.02 * math.log(4.0)) * np.arange(times.size)
    assert times.size == 5
    np.testing.assert_allclose(times, want, rtol=0, atol=3e-7)
    assert np.all(run.v[run.t <= 0.05] == -65.0)
    assert run.ref.shape == run.v.shape and run.ref.max() > 0.0


def test_a_diverging_group_model_raises_with_the_partial_run():
    blow = ns.EquationNeuron("dv/dt = v*v\ndu/dt = 0", threshold="u > 1",
                             reset="u = 0")
    with pytest.raises(ns.SimulationError, match=r"EquationNeuron, method 'rk4' "
                       r"\(dt=0.01 ms\): neuron 1's state went non-finite") as info:
        ns.simulate(blow, np.zeros(2), 0.001, dt=1e-5,
                    initial_state={"v": np.array([0.0, 5.0])})
    partial = info.value.partial
    # v = 1/(1/5 − t[ms]) is infinite at 0.2 ms; RK4 lags a few steps behind
    assert 0.19e-3 < partial.t[-1] <= 0.25e-3
    assert np.all(partial.v[:, 0] == 0.0)


def test_rates_simulate_the_group_models_without_a_rate_curve():
    """An equation-written LIF against the closed form 1 / (τ_ref + τ ln(RI / (RI −
    θ))); the IAF keeps its analytic curve; AdEx adapting fires more slowly in
    steady state than its first interval."""
    lif = ns.EquationNeuron("dv/dt = (E - v + I)/tau", threshold="v >= -50",
                            reset="v = E", refractory=2.0,
                            namespace={"E": -65.0, "tau": 20.0}, initial={"v": -65.0})
    currents = np.array([10.0, 16.0, 20.0, 40.0])
    closed = np.array([0.0] + [1.0 / (2e-3 + 20e-3 * math.log(i / (i - 15.0)))
                               for i in currents[1:]])
    np.testing.assert_allclose(ns.rates(lif, currents), closed, rtol=2e-3)
    iaf = ns.IAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0, tau_ref=2.0)
    np.testing.assert_allclose(ns.rates(iaf, currents), closed, rtol=1e-12)
    adex = ns.AdEx.preset("adapting")
    steady = ns.rates(adex, [500.0])[0]
    first_isi = np.diff(ns.simulate(adex, 500.0, 0.2).spike_times[0][:2])[0]
    assert 0.0 < steady < 0.5 / first_isi


def test_adaptive_iaf_does_not_take_the_iaf_rate_curve():
    """IAF's closed form ignores adaptation: AdaptiveIAF's rate curve is its
    simulated one (tabulated), below the IAF's at the same current."""
    adaptive = ns.AdaptiveIAF(b=1.0)
    plain = ns.IAF(**{k: getattr(adaptive, k) for k in
                      ("V_rest", "V_th", "V_reset", "tau_m", "tau_ref", "R")})
    currents = np.array([18.0, 20.0, 40.0])
    simulated = ns.rates(adaptive, currents)
    assert np.all(0.0 < simulated) and np.all(simulated < 0.9 * plain.rates(currents))
    np.testing.assert_allclose(adaptive.rates(currents), simulated, rtol=0.01)
