"""What STDP costs: the same networks run without plasticity and with it, in turns in
one process (issue 15 asks learning to cost at most 2x the run without it).

* ``cuba``: the CUBA network of ``cuba.py`` (4000 IAF neurons, p = 0.02, 3 s at
  dt = 0.1 ms), its excitatory synapses (E->E and E->I, about 256 000 of the
  320 000) plastic: additive STDP, w_max = 2 w_e, A+ = 0.01 w_max, A- = 1.05 A+,
  tau+ = tau- = 20 ms.
* ``cuba, delays``: the same with every delay drawn uniform in [0, 2] ms (21
  steps: the plastic sets keep 21 steps of pre traces and spikes).
* ``song``: Song, Miller & Abbott (2000) as in ``tests/network/test_stdp.py``
  (1000 Poisson inputs at 15 Hz onto one IAF neuron, 10 s at dt = 0.1 ms).

Each network runs three ways: ``fixed`` (no learning rule), ``stdp, A=0`` (the
rule with zero amplitudes: the very spikes of ``fixed``, bit for bit, so its ratio
is the learning machinery's cost alone — traces, spike history, both updates) and
``stdp`` (learning, which also changes the network's spikes and so its cost).
Times are wall clock of ``sim.run`` (kernels compiled beforehand on a short run);
the fastest of ``--repeats`` rounds, the ways taking turns in each round.

    python benchmarks/stdp.py [--repeats 5] [--cuba-t 3.0] [--song-t 10.0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import cuba as cuba_benchmark
import neurosim as ns

DT = 1e-4


def stdp_rule(w_max, learn=True):
    a = 0.01 * w_max if learn else 0.0
    return ns.STDP(tau_plus=0.02, tau_minus=0.02, A_plus=a, A_minus=1.05 * a,
                   w_max=w_max)


def cuba(rule_of, seed=1, n=4000, p=0.02, delay=0.0):
    """The CUBA network of ``cuba.py``; ``rule_of(w_max)`` the excitatory synapses'
    rule."""
    net = ns.Network(seed=seed)
    rule = rule_of(2 * cuba_benchmark.W_E)
    for group in cuba_benchmark.ours(net, n, p, delay, rule):
        net.probe(group, "spikes")
    return net, ("E", "I"), n


def cuba_delays(rule_of):
    return cuba(rule_of, delay=ns.Uniform(0.0, 2e-3))


def song(rule_of, seed=0, n_inputs=1000):
    w_max = 0.6
    net = ns.Network(seed=seed)
    inputs = net.poisson_group(n_inputs, 15.0, label="inputs")
    cell = net.group(1, ns.IAF(V_rest=-74.0, V_th=-54.0, V_reset=-60.0, tau_m=10.0,
                               tau_ref=0.0),
                     label="cell", channels={"ge": ns.PSC(5e-3)}, initial={"v": -60.0})
    net.synapses(inputs, cell, rule=ns.AllToAll(), weight=ns.Uniform(0, w_max),
                 learning_rule=rule_of(w_max))
    net.probe(cell, "spikes")
    return net, ("cell",), 1


WAYS = {"fixed": lambda w_max: None,
        "stdp, A=0": lambda w_max: stdp_rule(w_max, learn=False),
        "stdp": lambda w_max: stdp_rule(w_max)}


def measure(build, t_stop, repeats):
    best = {way: np.inf for way in WAYS}
    rates = {}
    for _ in range(repeats):
        for way, rule_of in WAYS.items():
            net, labels, n = build(rule_of)
            sim = ns.Simulator(net, dt=DT, progress=False)
            start = time.perf_counter()
            res = sim.run(t_stop)
            best[way] = min(best[way], time.perf_counter() - start)
            rates[way] = sum(res.spikes[label].times.size for label in labels) \
                / n / t_stop
    return best, rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cuba-t", type=float, default=3.0)
    parser.add_argument("--song-t", type=float, default=10.0)
    args = parser.parse_args()
    for build in (cuba, song):  # compile every kernel first, on a short run
        for rule_of in WAYS.values():
            net, _, _ = build(rule_of)
            ns.Simulator(net, dt=DT, progress=False).run(0.01)
    for name, build, t_stop in (("cuba", cuba, args.cuba_t),
                                ("cuba, delays", cuba_delays, args.cuba_t),
                                ("song", song, args.song_t)):
        best, rates = measure(build, t_stop, args.repeats)
        print(f"{name}: {t_stop:g} s simulated, fastest of {args.repeats}")
        for way in WAYS:
            print(f"  {way:10s} {best[way]:7.3f} s   rate {rates[way]:6.2f} Hz   "
                  f"x{best[way] / best['fixed']:.2f} of fixed")


if __name__ == "__main__":
    main()
