"""The Simulator's probes, neuron types, files and errors."""

import numpy as np
import pytest

import neurosim as ns

from ..lif_reference import lif_rate
from .networks import channel


def test_probes_record_what_they_say(tmp_path):
    net = ns.Network(seed=0, label="probes")
    u = net.input(lambda t: 0.5 + 0 * t, label="u")
    a = net.population(20, 1, label="A")
    net.connect(u, a, synapse=None)
    probes = {what: net.probe(a, what, sample_every=0.002) for what in
              ("voltage", "current")}
    probes["spikes"] = net.probe(a, "spikes")
    rates = net.probe(a, "rates", synapse=ns.PSC(0.05))
    u_probe = net.probe(u, label="u.value")
    sim = ns.Simulator(net, dt=1e-3)
    res = sim.run(1.0)
    assert res[probes["voltage"]].shape == (500, 20)
    np.testing.assert_allclose(res.times(probes["voltage"]), np.arange(1, 501) * 2e-3)
    pop = sim.model.populations[0]
    expected_J = pop.gain * (0.5 * pop.encoders[:, 0]) + pop.bias
    np.testing.assert_allclose(res[probes["current"]], np.tile(expected_J, (500, 1)),
                               rtol=1e-12)
    np.testing.assert_allclose(res[u_probe], 0.5)
    times, ids = res.spikes(a)
    # a constant input gives each neuron its steady rate (after the first spike)
    firing = np.flatnonzero(ns.LIF().rates(expected_J) > 5.0)  # > 3 ISIs in 1 s
    assert firing.size >= 5
    for i in firing:
        own = times[ids == i]
        assert np.diff(own)[1:].mean() == pytest.approx(
            1.0 / ns.LIF().rates(expected_J[i]), rel=1e-6)
    steady = res[rates][500:].mean(axis=0)  # filtered spike trains, averaged
    np.testing.assert_allclose(steady, ns.LIF().rates(expected_J), rtol=0.03, atol=1.0)
    path = res.save(tmp_path / "r.h5")
    back = ns.Results.load(path)
    np.testing.assert_allclose(back.spikes["A"].times, times, rtol=1e-15)
    assert back.reports["A"].data.shape == (500, 20)
    assert back["traces/A/current"].shape == (500, 20)
    np.testing.assert_allclose(back["decoded/u.value/x_hat"], 0.5)


def test_rate_and_hodgkin_huxley_populations_in_a_network():
    net = ns.Network(seed=1)
    u = net.input(lambda t: np.sin(2 * np.pi * t))
    hh = net.population(60, 1, neuron=ns.HodgkinHuxley(), max_rates=ns.Uniform(80, 120))
    relu = net.population(60, 1, neuron=ns.ReLU())
    net.connect(u, hh)
    net.connect(hh, relu)
    p_hh = net.probe(hh, synapse=ns.PSC(0.02))
    p_relu = net.probe(relu, synapse=ns.PSC(0.02))
    res = ns.Simulator(net, dt=1e-4).run(1.0)
    t = res.times(p_hh)
    late = t > 0.2
    target = np.sin(2 * np.pi * (t - 0.03))
    assert np.corrcoef(res[p_hh][late, 0], target[late])[0, 1] > 0.9
    assert np.corrcoef(res[p_relu][late, 0], target[late])[0, 1] > 0.9


def test_outputs_sum_decoded_functions():
    net = ns.Network(seed=2)
    u = net.input(lambda t: 0.6 + 0 * t)
    a = net.population(300, 1)
    out = net.output(1)
    net.connect(u, a)
    net.connect(a, out, function=np.square, synapse=ns.PSC(0.01))
    net.connect(a, out, transform=-1.0, synapse=ns.PSC(0.01))
    probe = net.probe(out)
    res = ns.Simulator(net, mode="rate").run(0.5)
    assert res[probe][-1, 0] == pytest.approx(0.36 - 0.6, abs=0.02)


def test_unstable_network_raises_with_partial_results():
    net = ns.Network(seed=0)
    u = net.input(lambda t: 1.0 + 0 * t)
    a = net.population(20, 1, neuron=ns.ReLU())
    net.connect(u, a)
    net.connect(a, a, transform=1e6, synapse=None)
    probe = net.probe(a)
    with pytest.raises(ns.SimulationError) as info:
        ns.Simulator(net, mode="rate").run(1.0)
    assert "went non-finite" in str(info.value) and "unstable" in str(info.value)
    assert info.value.partial[probe].shape[0] >= 1


@pytest.mark.parametrize("build, error, match", [
    (lambda net, a: net.connect(a, 3), ValueError, "post must be a Population or Output"),
    (lambda net, a: net.connect(a, a, solver="magic"), ValueError, "solver must be one"),
    (lambda net, a: net.connect(a, a, solver="svd", reg=0.1), ValueError,
     "reg is not used by solver 'svd'"),
    (lambda net, a: net.connect(a, a, reg=-1), ValueError, "reg must be"),
    (lambda net, a: net.population(5, label="A/B"), ValueError, "label must be a non"),
    (lambda net, a: net.probe(a, label=""), ValueError, "label must be a non"),
    (lambda net, a: net.probe(net.output(1), synapse=ns.PSC(0.01)), ValueError,
     "put the synapse on the connections into it"),
    (lambda net, a: net.probe(a, "colour"), ValueError, "what must be one of"),
    (lambda net, a: net.connect(a, a, synapse=0.01), TypeError, "synapse must be a PSC"),
    (lambda net, a: net.connect(a, a, transform=np.ones((3, 3))), ValueError,
     r"transform must be a scalar or a matrix of shape \(1, 1\)"),
    (lambda net, a: net.population(5, label="A"), ValueError, "label 'A' is already"),
])
def test_descriptions_are_checked(build, error, match):
    net = ns.Network(seed=0)
    a = net.population(5, label="A")
    with pytest.raises(error, match=match):
        build(net, a)


def test_generated_labels_never_collide_with_given_ones():
    net = ns.Network(seed=0)
    net.population(5, label="population1")
    labels = [net.population(5).label for _ in range(3)]
    assert labels == ["population0", "population2", "population3"]


def test_one_description_runs_in_both_modes():
    net = ns.Network(seed=0)
    u = net.input(lambda t: 0.5 + 0 * t)
    a = net.population(50, label="A")
    net.connect(u, a)
    net.probe(a, "spikes")
    voltage = net.probe(a, "voltage")
    value = net.probe(a, synapse=ns.PSC(0.01))
    with pytest.warns(UserWarning, match="not recording 'A.spikes', 'A.voltage'"):
        sim = ns.Simulator(net, mode="rate")
    res = sim.run(0.2)
    assert abs(res[value][-1, 0] - 0.5) < 0.05
    with pytest.raises(KeyError, match="was not recorded in this run"):
        res[voltage]
    assert "A" not in res.spikes
    spiking = ns.Simulator(net).run(0.2)
    assert spiking[voltage].shape == (200, 50)
    assert len(spiking.spikes(a)[0]) > 0


def test_a_single_1d_input_encoded_in_the_neuron_pass_gives_the_same_numbers():
    # A and B each have one 1-D input, so their currents are set in the neuron
    # pass; a second input that is always 0 makes the kernel encode beforehand
    def run(with_zero_inputs):
        net, probe = channel(200, spikes=True)
        a, b = net.populations
        current = net.probe(b, "current")
        if with_zero_inputs:
            zero = net.input(lambda t: 0 * t)
            net.connect(zero, a)
            net.connect(zero, b)
        res = ns.Simulator(net).run(0.3)
        return res[probe], res[current], res.spikes(a), res.spikes(b)

    fused, encoded = run(False), run(True)
    assert len(fused[2][0]) > 1000
    for x, y in zip(fused[:2], encoded[:2]):
        np.testing.assert_array_equal(x, y)
    for (t_x, id_x), (t_y, id_y) in zip(fused[2:], encoded[2:]):
        np.testing.assert_array_equal(t_x, t_y)
        np.testing.assert_array_equal(id_x, id_y)


def test_neurons_firing_faster_than_one_spike_a_step_keep_exact_intervals():
    # a 0.3 ms refractory period at dt = 1 ms: up to 2.5 spikes per neuron a step,
    # which the kernel's one-spike pass hands to the exact stepper
    net = ns.Network(seed=3)
    u = net.input(lambda t: 0.9 + 0 * t)
    neuron = ns.LIF(tau_ref=3e-4)
    a = net.population(40, 1, neuron=neuron, max_rates=ns.Uniform(1200, 2500),
                       intercepts=ns.Uniform(-0.5, 0.5))
    net.connect(u, a, synapse=None)
    current = net.probe(a, "current")
    net.probe(a, "spikes")
    sim = ns.Simulator(net, dt=1e-3)
    res = sim.run(0.5)
    J = res[current][-1]
    rate = lif_rate(J, tau_ref=3e-4)
    times, ids = res.spikes(a)
    assert rate.max() > 1500.0
    checked = 0
    for i in np.flatnonzero(rate > 5.0):
        isi = np.diff(times[ids == i])[1:]
        np.testing.assert_allclose(isi, 1.0 / rate[i], rtol=1e-6, atol=1e-12)
        checked += rate[i] > 1000.0
    assert checked >= 10


def test_simulator_arguments_are_checked():
    net = ns.Network(seed=0)
    a = net.population(5)
    net.probe(a, "spikes")
    with pytest.raises(ValueError, match="mode must be one of"):
        ns.Simulator(net, mode="fast")
    sim = ns.Simulator(net)
    with pytest.raises(ValueError, match="t must be a whole number of steps"):
        sim.run(0.0015)
