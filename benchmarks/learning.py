"""A communication channel learned with PES: neurosim vs Nengo's reference simulator
on the same network in the same run (Nengo when installed, ``[bench]``), and the
cost of learning against the same network with fixed decoders.

u = 0.9 sin(π t) → A → B, N LIF neurons each (Nengo's default max rates and
intercepts), 5 ms synapses, dt = 1 ms, spiking. The A → B decoders start at zero
and learn with PES (κ = ``--rate``, Nengo's convention ΔD = −κ dt/N a eᵀ, 5 ms
pre-synaptic filter) from E = B − A, a third population of N neurons. Printed per
N: build and run seconds of ``--t-stop`` s, the RMSE of B against A (both
decoded through 10 ms) over the first and the last second, and the speed ratio.
"fixed" runs the same three populations and connections with A → B solved and
not learning (E feeds nothing): run(learning) / run(fixed) is what learning costs
(its build reuses the decoders the learning side solved: not a build time).
Each side is built once untimed per N (first-build costs), then per seed built
and timed, then the sides take turns running ``--repeats`` times (the fastest run
counts; the RMSEs are the first run's); seeds 0 .. ``--seeds`` − 1, RMSEs
averaged, times the fastest.

    python benchmarks/learning.py [--neurons 100 1000] [--t-stop 10] [--seeds 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time

import numpy as np

os.environ.setdefault("NEUROSIM_CACHE_DIR", "off")

import neurosim as ns

DT = 1e-3


def signal(t):
    return 0.9 * np.sin(np.pi * t)


def ours(n, seed, rate, learn=True):
    """The channel in neurosim: (build seconds, ``run``); ``run(t_stop)`` runs the
    network afresh and returns (seconds, B decoded, A decoded)."""
    net = ns.Network(seed=seed)
    u = net.input(signal)
    a, b, e = (net.population(n, 1) for _ in range(3))
    net.connect(u, a)
    if learn:
        conn = net.connect(a, b, function=lambda x: 0 * x,
                           learning_rule=ns.PES(rate))
        net.connect(e, conn.learning_rule)
    else:
        net.connect(a, b)
    net.connect(b, e)
    net.connect(a, e, transform=-1)
    pa, pb = (net.probe(p, synapse=ns.PSC(0.01)) for p in (a, b))
    start = time.perf_counter()
    ns.Simulator(net, dt=DT, progress=False)
    build = time.perf_counter() - start

    def run(t_stop):
        sim = ns.Simulator(net, dt=DT, progress=False)
        start = time.perf_counter()
        res = sim.run(t_stop)
        return time.perf_counter() - start, res[pb][:, 0], res[pa][:, 0]
    return build, run


def theirs(n, seed, rate):
    """``ours`` for the same channel in Nengo."""
    import nengo
    nengo.rc.set("decoder_cache", "enabled", "False")
    with nengo.Network(seed=seed) as net:
        u = nengo.Node(signal)
        a, b, e = (nengo.Ensemble(n, 1, neuron_type=nengo.LIF()) for _ in range(3))
        nengo.Connection(u, a, synapse=0.005)
        conn = nengo.Connection(a, b, synapse=0.005, function=lambda x: [0],
                                learning_rule_type=nengo.PES(learning_rate=rate))
        nengo.Connection(e, conn.learning_rule, synapse=0.005)
        nengo.Connection(b, e, synapse=0.005)
        nengo.Connection(a, e, synapse=0.005, transform=-1)
        pa, pb = (nengo.Probe(p, synapse=0.01) for p in (a, b))
    start = time.perf_counter()
    nengo.Simulator(net, dt=DT, progress_bar=False).close()
    build = time.perf_counter() - start

    def run(t_stop):
        with nengo.Simulator(net, dt=DT, progress_bar=False) as sim:
            start = time.perf_counter()
            sim.run(t_stop)
            return time.perf_counter() - start, sim.data[pb][:, 0], sim.data[pa][:, 0]
    return build, run


def rmse(b, a, t_stop, first):
    """RMSE of B − A over the first or the last second."""
    k = round(1.0 / DT)
    part = slice(0, k) if first else slice(round(t_stop / DT) - k, None)
    return float(np.sqrt(np.mean((b[part] - a[part]) ** 2)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--t-stop", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=1e-4, help="PES learning rate")
    opts = parser.parse_args(argv)
    have_nengo = importlib.util.find_spec("nengo") is not None
    if not have_nengo:
        print("nengo is not installed (pip install '.[bench]'): neurosim only")
    # compile (and cache) every kernel outside the timing, the iterative solve's too
    ours(ns.nef.solvers.PCG_MIN_NEURONS, 0, opts.rate)[1](0.01)
    ours(10, 0, opts.rate, learn=False)[1](0.01)
    sides = {"neurosim": lambda n, s: ours(n, s, opts.rate),
             "fixed": lambda n, s: ours(n, s, opts.rate, learn=False)}
    if have_nengo:
        sides["nengo"] = lambda n, s: theirs(n, s, opts.rate)
    print(f"PES κ = {opts.rate:g}, {opts.t_stop:g} s at dt = 1 ms, seeds "
          f"0..{opts.seeds - 1}, fastest of {opts.repeats} runs")
    print(f"{'N':>5} {'side':>9} {'build s':>8} {'run s':>7} {'RMSE first':>11} "
          f"{'RMSE last':>10} {'nengo/ours':>11}")
    for n in opts.neurons:
        builds = {k: [] for k in sides}
        runs = {k: [] for k in sides}
        first = {k: [] for k in sides}
        last = {k: [] for k in sides}
        for make in sides.values():  # a first build of this size pays one-off costs
            make(n, opts.seeds)  # (a seed not timed: its decoders are not reused)
        for seed in range(opts.seeds):
            built = {}
            for name, make in sides.items():
                seconds, run = make(n, seed)
                builds[name].append(seconds)
                built[name] = run
            for repeat in range(opts.repeats):
                for name, run in built.items():
                    seconds, b, a = run(opts.t_stop)
                    runs[name].append(seconds)
                    if repeat == 0:
                        first[name].append(rmse(b, a, opts.t_stop, True))
                        last[name].append(rmse(b, a, opts.t_stop, False))
        fast = {k: min(v) for k, v in runs.items()}
        for name in sides:
            ratio = f"{fast['nengo'] / fast[name]:10.1f}x" if have_nengo else ""
            build = "(cached)" if name == "fixed" else f"{min(builds[name]):8.2f}"
            print(f"{n:5d} {name:>9} {build:>8} {fast[name]:7.3f} "
                  f"{np.mean(first[name]):11.4f} {np.mean(last[name]):10.4f} {ratio}")
        print(f"{n:5d} learning costs {fast['neurosim'] / fast['fixed']:.2f}× the "
              f"fixed network's run" + (
                  f"; RMSE last second ours / nengo "
                  f"{np.mean(last['neurosim']) / np.mean(last['nengo']):.2f}"
                  if have_nengo else ""))


if __name__ == "__main__":
    main()
