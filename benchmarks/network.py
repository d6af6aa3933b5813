"""Communication channel sin(2πt) → A → B (1-D, N LIF neurons each, dt = 1 ms, 10 s,
spiking, 5 ms synapses, B decoded through 10 ms): neurosim vs Nengo's reference
simulator on the same network in the same run (Nengo when installed, ``[bench]``).

Prints build and run seconds, neuron-steps per second, the RMSE of B against
sin(2πt) through the same three synapses (continuous-time reference), and the
speed ratios. Decoder caches are off, so builds solve their decoders. Up to
``--cheap-max`` neurons each side runs ``--seeds`` networks (seeds 0, 1, ...): the
times are the fastest, the RMSE the mean (one seed of 100 neurons varies by 10 %);
larger networks run seed 0 only. Each simulator runs ``--repeats`` times ``t_stop``,
one run continuing the last; the fastest run counts, the RMSE is the first run's.
Both simulators are built first and then take turns run by run, so that a slow
spell of the machine falls on both.

    python benchmarks/network.py [--neurons 100 1000 10000] [--t-stop 10] [--seeds 5]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import signal

os.environ.setdefault("NEUROSIM_CACHE_DIR", "off")

import neurosim as ns


def ideal(t_stop, dt, fine=20):
    t = np.arange(0, round(t_stop / dt) * fine + 1) * dt / fine
    den = np.polymul(np.polymul([0.005, 1.0], [0.005, 1.0]), [0.01, 1.0])
    _, y, _ = signal.lsim(([1.0], den), np.sin(2 * np.pi * t), t)
    return y[fine::fine]


def ours(n, seed):
    """Build the channel in neurosim: (build seconds, ``run``, ``close``);
    ``run(t_stop)`` continues the simulation and returns (seconds, B decoded over
    the whole run so far)."""
    net = ns.Network(seed=seed)
    u = net.input(lambda t: np.sin(2 * np.pi * t))
    a = net.population(n, 1)
    b = net.population(n, 1)
    net.connect(u, a, synapse=ns.PSC(0.005))
    net.connect(a, b, synapse=ns.PSC(0.005))
    probe = net.probe(b, synapse=ns.PSC(0.01))
    start = time.perf_counter()
    sim = ns.Simulator(net, dt=1e-3, progress=False)
    build = time.perf_counter() - start

    def run(t_stop):
        start = time.perf_counter()
        res = sim.run(t_stop)
        return time.perf_counter() - start, res[probe][:, 0]
    return build, run, sim.close


def theirs(n, seed):
    """``ours`` for the same channel in Nengo's reference simulator."""
    import nengo
    nengo.rc.set("decoder_cache", "enabled", "False")  # solve, as ours does
    with nengo.Network(seed=seed) as net:
        u = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        a = nengo.Ensemble(n, 1, neuron_type=nengo.LIF())
        b = nengo.Ensemble(n, 1, neuron_type=nengo.LIF())
        nengo.Connection(u, a, synapse=0.005)
        nengo.Connection(a, b, synapse=0.005)
        probe = nengo.Probe(b, synapse=0.01)
    start = time.perf_counter()
    sim = nengo.Simulator(net, dt=1e-3, progress_bar=False)
    build = time.perf_counter() - start

    def run(t_stop):
        start = time.perf_counter()
        sim.run(t_stop)
        return time.perf_counter() - start, sim.data[probe][:, 0]
    return build, run, sim.close


def measure(sides, n, t_stop, seeds, repeats, reference):
    """For each simulator in ``sides``: the fastest build and run seconds over
    ``seeds``, and the mean RMSE of the first runs. Per seed, every side is built,
    then the sides take turns running ``t_stop`` (each run continuing its last)
    ``repeats`` times, so that all see the same state of the machine."""
    builds = {side: [] for side in sides}
    runs = {side: [] for side in sides}
    errors = {side: [] for side in sides}
    for seed in seeds:
        built = {}
        for side in sides:
            seconds, run, close = side(n, seed)
            builds[side].append(seconds)
            built[side] = run, close
        for repeat in range(repeats):
            for side, (run, _) in built.items():
                seconds, decoded = run(t_stop)
                runs[side].append(seconds)
                if repeat == 0:
                    x = decoded[:reference.size]
                    errors[side].append(np.sqrt(np.mean((x - reference) ** 2)))
        for _, close in built.values():
            close()
    return {side: (min(builds[side]), min(runs[side]), np.mean(errors[side]))
            for side in sides}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--t-stop", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of t_stop per simulator; the fastest counts")
    parser.add_argument("--cheap-max", type=int, default=1000,
                        help="largest N run with every seed")
    opts = parser.parse_args(argv)
    try:
        import nengo  # noqa: F401
        have_nengo = True
    except ImportError:
        have_nengo = False
        print("nengo is not installed (pip install '.[bench]'): neurosim only")
    reference = ideal(opts.t_stop, 1e-3)
    # compile (and cache) every kernel outside the timing, the iterative solve's too
    _, run, close = ours(ns.nef.solvers.PCG_MIN_NEURONS, 0)
    run(0.01)
    close()
    print(f"{'N':>6} {'seeds':>5} {'side':>9} {'build s':>8} {'run s':>7} "
          f"{'neuron-steps/s':>15} {'RMSE':>8} {'run speed-up':>13} {'build speed-up':>15}")
    sides = [ours, theirs] if have_nengo else [ours]
    for n in opts.neurons:
        seeds = range(opts.seeds if n <= opts.cheap_max else 1)
        steps = 2 * n * round(opts.t_stop / 1e-3)
        found = measure(sides, n, opts.t_stop, seeds, opts.repeats, reference)
        b_ours, r_ours, rmse = found[ours]
        print(f"{n:6d} {len(seeds):5d} {'neurosim':>9} {b_ours:8.2f} {r_ours:7.3f} "
              f"{steps / r_ours:15.3g} {rmse:8.4f}")
        if have_nengo:
            b_nengo, r_nengo, rmse = found[theirs]
            print(f"{n:6d} {len(seeds):5d} {'nengo':>9} {b_nengo:8.2f} {r_nengo:7.3f} "
                  f"{steps / r_nengo:15.3g} {rmse:8.4f} {r_nengo / r_ours:12.1f}x "
                  f"{b_nengo / b_ours:14.1f}x")

if __name__ == "__main__":
    main()
