"""AdaptiveIAF (neurosim/neurons/adaptive_iaf.py) against scipy's solve_ivp, its
adaptation, parameter checks and a group in a network.

Reference: DOP853 (rtol 1e-10, atol 1e-12) with an event at V_th; then V held at
V_reset for τ_ref while w decays exactly, w += b, and restart.

Measured largest spike-time error over 1 s (42 spikes, counts equal): 1.1e-3 ms at
dt = 0.1 ms, 1.1e-5 ms at dt = 0.01 ms — second order, from the linear
interpolation of the crossing (the steps themselves are exact).
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.neurons.adaptive_iaf import AdaptiveIAF

from .group_runs import kernel_spikes

NEURON = AdaptiveIAF(V_rest=-65.0, V_th=-50.0, V_reset=-65.0, tau_m=20.0,
                     tau_ref=2.0, R=1.0, tau_w=100.0, b=2.0)
CURRENT = 30.0  # nA: R I = 30 mV above rest
T_STOP = 1000.0  # ms


def reference(p, current, t_stop):
    """Spike times (ms) from rest under ``current`` (nA)."""
    def rhs(t, y):
        v, w = y
        return [(-(v - p.V_rest) + p.R * (current - w)) / p.tau_m, -w / p.tau_w]

    def threshold(t, y):
        return y[0] - p.V_th
    threshold.terminal, threshold.direction = True, 1
    t0, y, spikes = 0.0, [p.V_rest, 0.0], []
    while True:
        sol = solve_ivp(rhs, (t0, t_stop), y, method="DOP853", rtol=1e-10, atol=1e-12,
                        events=threshold)
        if sol.t_events[0].size == 0:
            return np.array(spikes)
        spikes.append(sol.t_events[0][0])
        t0 = spikes[-1] + p.tau_ref
        y = [p.V_reset, (sol.y_events[0][0][1] + p.b) * np.exp(-p.tau_ref / p.tau_w)]


def spike_time_error(dt):
    ref = reference(NEURON, CURRENT, T_STOP)
    got = kernel_spikes(NEURON, CURRENT, T_STOP, dt)
    assert got.size == ref.size, (dt, got.size, ref.size)
    return np.abs(got - ref).max(), ref


def test_matches_solve_ivp_at_second_order():
    coarse, _ = spike_time_error(0.1)
    fine, _ = spike_time_error(0.01)
    assert coarse < 2e-3 and fine < 2e-5
    assert coarse / fine > 50.0, (coarse, fine)


def test_adapts():
    """ISIs grow one after the other from 17.2 ms towards 24.6 ms."""
    isi = np.diff(kernel_spikes(NEURON, CURRENT, T_STOP, 0.1))
    assert np.all(np.diff(isi[:10]) > 0.0) and isi[-1] > 1.3 * isi[0]


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="tau_w"):
        AdaptiveIAF(tau_w=0.0)
    with pytest.raises(ValueError, match="b \\(nA\\) must be >= 0"):
        AdaptiveIAF(b=-1.0)
    with pytest.raises(ValueError, match="V_th must be above V_reset"):
        AdaptiveIAF(V_th=-80.0)


def test_group_in_a_network_with_delta_synapses():
    """40 neurons with a constant current and Poisson delta input fire, and their
    adaptation current is positive and below what 1 s of spikes could add."""
    net = ns.Network(seed=1)
    g = net.group(40, NEURON, label="A", channels={"d": ns.Delta()},
                  current=ns.Uniform(14.0, 20.0))
    drive = net.poisson_group(50, 50.0, label="P")
    net.synapses(drive, g, p=0.1, weight=0.5)
    net.probe(g, "spikes")
    wp = net.probe(g, "w")
    res = ns.Simulator(net, dt=1e-4, seed=0).run(0.5)
    counts = np.bincount(res.spikes["A"].ids, minlength=40)
    assert counts.min() >= 2, counts
    w_end = res[wp][-1]
    assert np.all(w_end > 0.0) and np.all(w_end < NEURON.b * counts)
