"""1000 independent Hodgkin–Huxley neurons, currents evenly spaced 0..20 µA/cm², 1 s at
dt = 0.01 ms, with exp_euler and rk4: neuron-steps per second, total spikes, and the
spike-time error of a few neurons against a tight rk45 reference.

For a peer measured in the same run, scipy's ``solve_ivp`` (RK45, rtol = 1e-6) runs
a subset of the same neurons one by one with the same compiled right-hand side; its
neuron-steps are counted as the neurons times t_stop / dt, so the ratio compares
wall time for the same simulated work.

    python benchmarks/hh.py [--neurons 1000] [--t-stop 1.0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.neurons.adaptive import hh_rhs

CHECKED = (60, 300, 500, 999)  # neurons whose spike times are compared


def timed(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--t-stop", type=float, default=1.0, help="s")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scipy-neurons", type=int, default=4)
    opts = parser.parse_args(argv)
    hh = ns.HodgkinHuxley()
    dt = 1e-5
    currents = np.linspace(0.0, 20.0, opts.neurons)
    steps = round(opts.t_stop / dt) * opts.neurons
    checked = [i for i in CHECKED if i < opts.neurons]
    reference = ns.simulate(hh, currents[checked], opts.t_stop, method="rk45", rtol=1e-10,
                            atol=1e-12, record=()).spike_times
    print(f"{opts.neurons} Hodgkin-Huxley neurons, I = 0..20 uA/cm^2, "
          f"{opts.t_stop:g} s, dt = 0.01 ms: {steps:.3g} neuron-steps")
    print(f"{'method':>22} {'seconds':>8} {'neuron-steps/s':>15} {'spikes':>7} "
          f"{'max spike-time error (ms)':>26}")
    for method in ("exp_euler", "rk4"):
        ns.simulate(hh, currents[:2], 2 * dt, dt=dt, method=method, record=())  # compile
        seconds, run = timed(lambda: ns.simulate(hh, currents, opts.t_stop, dt=dt,
                                                 method=method, record=()),
                             opts.repeat)
        errors = [np.max(np.abs(run.spike_times[i] - ref), initial=0.0) * 1e3
                  if run.spike_times[i].size == ref.size else np.inf
                  for i, ref in zip(checked, reference)]
        total = sum(s.size for s in run.spike_times)
        print(f"{'neurosim ' + method:>22} {seconds:8.3f} {steps / seconds:15.3g} "
              f"{total:7d} {max(errors):26.3g}")
    subset = np.linspace(0, opts.neurons - 1, opts.scipy_neurons).astype(int)
    y0 = np.array([hh.initial_state(1)[k][0] for k in hh.state_names])
    par = hh.packed()

    def scipy_run():
        return [solve_ivp(hh_rhs, (0.0, opts.t_stop * 1e3), y0, method="RK45",
                          rtol=1e-6, atol=1e-9,
                          args=(np.zeros(1), par, 0.0, 1.0, np.array([[currents[i]]])))
                for i in subset]
    seconds, _ = timed(scipy_run, 1)
    scipy_steps = round(opts.t_stop / dt) * subset.size
    print(f"{'scipy RK45 (per neuron)':>22} {seconds:8.3f} {scipy_steps / seconds:15.3g}"
          f"{'':>8} {'(same neurons, one by one)':>26}")


if __name__ == "__main__":
    main()
