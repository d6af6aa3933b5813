"""Networks and references shared by the simulator tests."""

import numpy as np
from scipy import signal

import neurosim as ns


def filtered_sine(taus, t_end, dt, frequency=1.0, fine=20):
    """sin(2π f t) through first-order low-passes with time constants ``taus``, in
    continuous time (scipy lsim on a grid ``fine`` times finer), sampled at k·dt."""
    t = np.arange(0, round(t_end / dt) * fine + 1) * dt / fine
    den = np.array([1.0])
    for tau in taus:
        den = np.polymul(den, [tau, 1.0])
    _, y, _ = signal.lsim(([1.0], den), np.sin(2 * np.pi * frequency * t), t)
    return y[fine::fine]


def channel(n_neurons, seed=0, weights="factored", spikes=False):
    """sin(2πt) -> A -> B with 5 ms synapses; B decoded through 10 ms."""
    net = ns.Network(seed=seed, label="channel")
    u = net.input(lambda t: np.sin(2 * np.pi * t), label="u")
    a = net.population(n_neurons, 1, label="A")
    b = net.population(n_neurons, 1, label="B")
    net.connect(u, a, synapse=ns.PSC(0.005))
    net.connect(a, b, synapse=ns.PSC(0.005), weights=weights)
    probe = net.probe(b, synapse=ns.PSC(0.01), label="B.decoded")
    if spikes:
        net.probe(a, "spikes")
        net.probe(b, "spikes")
    return net, probe


def integrator(n_neurons, seed=0, tau=0.1):
    """Input 1 for 0.1 s (through transform tau) into a recurrent integrator."""
    net = ns.Network(seed=seed)
    u = net.input(lambda t: np.where(t <= 0.1 + 1e-9, 1.0, 0.0))
    a = net.population(n_neurons, 1)
    net.connect(u, a, synapse=ns.PSC(tau), transform=tau)
    net.connect(a, a, synapse=ns.PSC(tau))
    return net, net.probe(a, synapse=ns.PSC(0.01))


def oscillator(n_neurons, seed=0, frequency=1.0, tau=0.1, kick=6.0):
    """A 2-D oscillator, feedback I + τA, kicked for 0.1 s."""
    w = 2 * np.pi * frequency
    net = ns.Network(seed=seed)
    u = net.input(lambda t: np.column_stack([np.where(t <= 0.1, kick, 0.0), 0 * t]))
    a = net.population(n_neurons, 2)
    net.connect(u, a, synapse=ns.PSC(tau), transform=tau)
    net.connect(a, a, synapse=ns.PSC(tau),
                transform=np.eye(2) + tau * np.array([[0.0, -w], [w, 0.0]]))
    return net, net.probe(a, synapse=ns.PSC(0.01))
