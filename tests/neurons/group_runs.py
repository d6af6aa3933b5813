"""Shared by the group-model tests: one neuron of a group run by the Simulator."""

import numpy as np

import neurosim as ns


def kernel_spikes(neuron, current, t_stop, dt):
    """Spike times (ms) of one neuron of a group run by the Simulator (t_stop and
    dt in ms)."""
    net = ns.Network()
    g = net.group(1, neuron, label="N", current=current)
    net.probe(g, "spikes")
    res = ns.Simulator(net, dt=dt * 1e-3, seed=0).run(t_stop * 1e-3)
    return np.sort(res.spikes["N"].times) * 1e3
