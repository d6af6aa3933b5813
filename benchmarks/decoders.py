"""Decoder building for a 1-D LIF population with 2N evaluation points: ours vs Nengo.

For each N, the population's parameters (gains, biases, encoders, evaluation points)
are drawn once; then, each in a fresh process so that peak memory is its own,
  * neurosim: ``Population.rates`` (compiled) + ``solvers.lstsq_l2`` (reg 0.1),
  * Nengo (when installed, extra ``[bench]``): ``nengo.neurons.LIF().rates`` +
    ``nengo.solvers.LstsqL2(reg=0.1)``, on the same parameters and points,
and the run prints seconds (activities + solve), the RMSE of each solution on 1000
held-out points, peak resident memory, and the speed ratio.

    python benchmarks/decoders.py [--neurons 5000 10000] [--nengo-max 5000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

import neurosim as ns


def _population(n):
    return ns.Population(n, 1, seed=0)


def measure(side: str, n: int) -> dict:
    """Build decoders on one side; returns seconds, RMSE and peak memory."""
    pop = _population(n)
    points = pop.eval_points(2 * n)
    test = pop.eval_points(1000, stream=5)
    gain, bias, enc = pop.gain, pop.bias, pop.encoders[:, 0]
    start = time.perf_counter()
    if side == "neurosim":
        D, _ = ns.nef.solvers.lstsq_l2(pop.rates(points), points, reg=0.1)
        seconds = time.perf_counter() - start
        estimate = pop.rates(test) @ D
    else:
        import nengo
        lif = nengo.neurons.LIF(tau_rc=0.02, tau_ref=0.002)
        A = lif.rates(points[:, 0:1] @ enc[None, :], gain, bias)
        D, _ = nengo.solvers.LstsqL2(reg=0.1)(A, points)
        seconds = time.perf_counter() - start
        estimate = lif.rates(test[:, 0:1] @ enc[None, :], gain, bias) @ D
    rmse = float(np.sqrt(np.mean((estimate - test) ** 2)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return {"seconds": seconds, "rmse": rmse, "peak_gb": peak}


def run_isolated(side: str, n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", side, str(n)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument("--nengo-max", type=int, default=5000,
                        help="largest N also run with Nengo (it is slow)")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.worker:
        print(json.dumps(measure(opts.worker[0], int(opts.worker[1]))))
        return
    try:
        import nengo  # noqa: F401
        have_nengo = True
    except ImportError:
        have_nengo = False
        print("nengo is not installed (pip install '.[bench]'): neurosim only")
    # compile (and cache) every kernel outside the timing, the iterative solve's too
    run_isolated("neurosim", ns.nef.solvers.PCG_MIN_NEURONS)
    print(f"{'N':>6} {'side':>9} {'seconds':>8} {'RMSE':>10} {'peak GB':>8} {'speed-up':>9}")
    for n in opts.neurons:
        ours = run_isolated("neurosim", n)
        print(f"{n:6d} {'neurosim':>9} {ours['seconds']:8.2f} {ours['rmse']:10.3g} "
              f"{ours['peak_gb']:8.2f}")
        if have_nengo and n <= opts.nengo_max:
            theirs = run_isolated("nengo", n)
            print(f"{n:6d} {'nengo':>9} {theirs['seconds']:8.2f} {theirs['rmse']:10.3g} "
                  f"{theirs['peak_gb']:8.2f} {theirs['seconds'] / ours['seconds']:8.1f}x")


if __name__ == "__main__":
    main()
