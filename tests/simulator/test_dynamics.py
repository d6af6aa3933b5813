"""Full weights against the factored form, and determinism across runs. (The
acceptance bounds of the channel, the integrator and the oscillator are checked on
the experiments that report them, in tests/experiments/.)"""

import numpy as np

import neurosim as ns

from .networks import channel, filtered_sine


def test_full_weights_equal_the_factored_form():
    net_f, probe_f = channel(200, weights="factored")
    net_w, probe_w = channel(200, weights="full")
    rate_f = ns.Simulator(net_f, mode="rate").run(1.0)[probe_f]
    rate_w = ns.Simulator(net_w, mode="rate").run(1.0)[probe_w]
    np.testing.assert_allclose(rate_w, rate_f, rtol=0, atol=1e-9)
    spk_f = ns.Simulator(net_f).run(2.0)[probe_f][:, 0]
    spk_w = ns.Simulator(net_w).run(2.0)[probe_w][:, 0]
    ideal = filtered_sine([0.005, 0.005, 0.01], 2.0, 1e-3)
    rmse_f = np.sqrt(np.mean((spk_f - ideal) ** 2))
    rmse_w = np.sqrt(np.mean((spk_w - ideal) ** 2))
    assert abs(rmse_w - rmse_f) < 0.1 * rmse_f
    assert np.corrcoef(spk_f, spk_w)[0, 1] > 0.999


def test_same_seed_same_bits_and_runs_continue():
    net, probe = channel(100, seed=3, spikes=True)
    once = ns.Simulator(net).run(2.0)
    split = ns.Simulator(net)
    split.run(1.0)
    twice = split.run(1.0)
    np.testing.assert_array_equal(once[probe], twice[probe])
    for pop in ("A", "B"):
        np.testing.assert_array_equal(once.spikes(pop)[0], twice.spikes(pop)[0])
        np.testing.assert_array_equal(once.spikes(pop)[1], twice.spikes(pop)[1])
    again = ns.Simulator(channel(100, seed=3, spikes=True)[0]).run(2.0)
    np.testing.assert_array_equal(again[again.network.probes[0]], once[probe])
    other = ns.Simulator(channel(100, seed=4, spikes=True)[0]).run(2.0)
    assert not np.array_equal(other[other.network.probes[0]], once[probe])
