"""NEF populations of the group models (IAF, AdaptiveIAF, AdEx, Izhikevich,
EquationNeuron): tuning curves from the simulated rate table, the compiled loop's
sub-stepped group step against ``simulate``, spiking against rate mode."""

import numpy as np
import pytest

import neurosim as ns

IZH_FS = ns.Izhikevich.preset("FS")


def _single(neuron, current, t_stop, **probes):
    """One neuron driven by a constant ``current`` (bias, no input) in a network."""
    net = ns.Network(seed=0)
    pop = net.population(1, 1, neuron=neuron, gain=[1.0], bias=[current], label="A")
    net.probe(pop, "spikes")
    voltage = net.probe(pop, "voltage") if probes.get("voltage") else None
    sim = ns.Simulator(net, dt=1e-3, progress=False)
    sim.run(t_stop)
    return sim.results.spikes["A"].times, sim.results, voltage


IZH_FS_EQUATIONS = ns.EquationNeuron("""
    dv/dt = 0.04*v*v + 5*v + 140 - u + I
    du/dt = a*(b*v - u)
""", threshold="v >= 30", reset="v = c; u += d",
    namespace={k: getattr(IZH_FS, k) for k in ("a", "b", "c", "d")},
    initial={"v": IZH_FS.v_init, "u": IZH_FS.b * IZH_FS.v_init})


@pytest.mark.parametrize("neuron, current", [
    (IZH_FS, 10.0), (IZH_FS_EQUATIONS, 10.0), (ns.IAF(), 20.0),
    (ns.AdaptiveIAF(b=0.5), 20.0)])
def test_a_population_neuron_spikes_as_simulate_does(neuron, current):
    """dt = 1 ms sub-stepped at the model's default_dt gives simulate's spikes
    (same steps, spike times carried across the sub-steps)."""
    ours, results, voltage = _single(neuron, current, 0.5, voltage=True)
    ref = ns.simulate(neuron, [current], 0.5, record=("v",))
    assert ours.size == ref.spike_times[0].size > 5
    np.testing.assert_allclose(ours, ref.spike_times[0], rtol=0, atol=1e-9)
    t = np.arange(1, 501) * 1e-3  # the network's samples, against the same times
    rows = np.searchsorted(ref.t, t - 0.5 * neuron.default_dt)
    np.testing.assert_allclose(ref.t[rows], t, rtol=0, atol=1e-12)
    np.testing.assert_allclose(results[voltage][:, 0], ref.v[rows, 0], rtol=0,
                               atol=1e-6)


def test_tuning_curves_follow_the_simulated_rates():
    pop = ns.Population(12, 1, neuron=IZH_FS, seed=3)
    x = np.linspace(-1.0, 1.0, 9)
    table = pop.rates(x)
    simulated = ns.rates(IZH_FS, pop.currents(x).ravel()).reshape(table.shape)
    np.testing.assert_allclose(table, simulated, rtol=0.01, atol=0.5)
    # gains and biases put each neuron's onset at its intercept, its max rate at 1
    np.testing.assert_allclose(IZH_FS.rates(pop.gain + pop.bias), pop.max_rates,
                               rtol=1e-9)
    # simulated: silent just below each intercept, firing just above (e · x = x)
    up = pop.encoders[:, 0] > 0
    below = pop.gain * (pop.intercepts - 0.02) + pop.bias
    above = pop.gain * (pop.intercepts + 0.02) + pop.bias
    assert up.sum() >= 3
    assert np.all(ns.rates(IZH_FS, below[up]) == 0.0)
    assert np.all(ns.rates(IZH_FS, above[up]) > 0.0)


@pytest.mark.parametrize("neuron", [IZH_FS, ns.AdEx.preset("tonic"), ns.IAF()])
def test_spiking_decodes_a_constant_as_rate_mode_does(neuron):
    decoded = {}
    for mode in ("spiking", "rate"):
        net = ns.Network(seed=1)
        u = net.input(lambda t: 0.5 + 0.0 * t, label="u")
        a = net.population(40, 1, neuron=neuron, label="A")
        net.connect(u, a)
        probe = net.probe(a, synapse=ns.PSC(0.05), label="a")
        sim = ns.Simulator(net, mode=mode, progress=False)
        sim.run(1.0)
        decoded[mode] = sim.results[probe][500:, 0].mean()
    assert abs(decoded["rate"] - 0.5) < 0.03
    assert abs(decoded["spiking"] - decoded["rate"]) < 0.01


def test_an_iaf_population_in_rate_mode_uses_the_closed_form():
    net = ns.Network(seed=2)
    u = net.input(lambda t: np.sin(2 * np.pi * t), label="u")
    a = net.population(20, 1, neuron=ns.IAF(), label="A")
    net.connect(u, a)
    rates, current = net.probe(a, "rates"), net.probe(a, "current")
    sim = ns.Simulator(net, mode="rate", progress=False)
    sim.run(0.2)
    J = sim.results[current]
    np.testing.assert_allclose(sim.results[rates], ns.IAF().rates(J), rtol=1e-12,
                               atol=1e-9)


def test_strongly_inhibited_adex_neurons_are_floored_not_diverging():
    neuron = ns.AdEx.preset("tonic")
    net = ns.Network(seed=0)
    u = net.input(lambda t: -1.0 + 0.0 * t, label="u")
    a = net.population(5, 1, neuron=neuron, encoders=np.ones((5, 1)),
                       intercepts=[0.95] * 5, label="A")
    net.connect(u, a)
    current, voltage = net.probe(a, "current"), net.probe(a, "voltage")
    sim = ns.Simulator(net, progress=False)
    sim.run(0.05)
    assert np.all(sim.results[current] >= neuron.input_floor)
    assert np.all(np.isfinite(sim.results[voltage]))
    assert sim.results[voltage].min() >= -500.0 - 1e-6


def test_a_model_firing_without_input_has_no_rate_curve():
    with pytest.raises(ValueError, match="TraubMiles fires without input"):
        ns.Population(10, 1, neuron=ns.TraubMiles(), seed=0).gain
