"""Equation-written neurons against the built-in models: 1000 Izhikevich (RS) and
1000 AdEx (adapting) neurons under current steps spread over each model's range,
1 s at dt = 0.1 ms (Izhikevich) and 0.01 ms (AdEx), as neuron groups; and 1000
IAF neurons (0 to 40 nA) against the same LIF as equations, stepped exactly (the
default for linear equations, ``linear_step``) and by RK4, with each side's
largest spike-time error from the LIF's closed form.

Prints each side's run time (best of ``--repeat``, compilation excluded), the
ratio equation / built-in (the goal: ≤ 1.5), the total spike count and how the
spike trains compare: Izhikevich's equation twin integrates the same RK4 and must
give the same spikes bit for bit; the AdEx twin is written in V (the built-in
integrates z = exp(−(V − V_T)/Δ_T)), so its spike times differ by the two forms'
integration errors and the counts are compared neuron by neuron.

With Brian2 importable (the ``[bench]`` extra), the same Izhikevich equations run
there too (``method="rk4"``, runtime code generation) for the peer's time and
per-neuron spike counts (Brian2 places spikes at step ends and resets there, so
counts can differ by one where a spike falls near the end of the run), and one
neuron per preset at its Fig. 2 step at dt = 0.01 ms: counts and the largest
spike-time difference after 1 s (measured: counts equal; 0.17 ms for RS up to
2.2 ms for FS, whose 137 step-end resets each delay Brian2's train by up to dt).

    python benchmarks/equations.py [--neurons 1000] [--repeat 3] [--no-brian2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import neurosim as ns


def izhikevich_pair():
    """The built-in RS cell and its equation twin (``Izhikevich.EQUATIONS``)."""
    p = ns.Izhikevich.preset("RS")
    return p, p.equations_twin()


def adex_pair():
    """The built-in adapting AdEx and its twin written in V, with units."""
    p = ns.AdEx.preset("adapting")
    return p, p.equations_twin()


def iaf_pairs():
    """The built-in IAF (exact between spikes, spike times interpolated linearly
    within the step) and the same LIF as equations, stepped exactly (the default
    for linear equations) and by RK4."""
    iaf = ns.IAF()  # V_rest = V_reset = -65 mV, V_th = -50 mV, 20 ms, 2 ms, 1 MΩ
    text = dict(equations="dv/dt = (E_L - v + R*I)/tau_m", threshold="v >= V_th",
                reset="v = V_r", refractory=2.0, initial={"v": -65.0},
                namespace=dict(E_L=-65.0, R=1.0, tau_m=20.0, V_th=-50.0, V_r=-65.0))
    return ((iaf, ns.EquationNeuron(**text)),
            (iaf, ns.EquationNeuron(**text, method="rk4")))


def lif_error(spikes, currents):
    """Largest distance (ms) of the spike times from the LIF's closed form:
    first spike τ ln(RI / (RI − 15 mV)), then every 2 ms + that."""
    first = 20.0 * np.log(currents / (currents - 15.0), where=currents > 15.0,
                          out=np.full(currents.size, np.inf))
    k = np.concatenate([np.arange(c) for c in np.bincount(spikes.ids,
                                                          minlength=currents.size)])
    order = np.lexsort((spikes.times, spikes.ids))
    want = first[spikes.ids[order]] + (2.0 + first[spikes.ids[order]]) * k
    return float(np.max(np.abs(spikes.times[order] * 1e3 - want)))


def run_group(neuron, currents, dt, t_stop=1.0):
    """(seconds, spike trains) of one group under constant ``currents``."""
    net = ns.Network()
    group = net.group(currents.size, neuron, label="G", current=currents)
    net.probe(group, "spikes")
    sim = ns.Simulator(net, dt=dt, seed=0, progress=False)
    sim.run(dt)  # compiles (the equation model's step on first use)
    sim = ns.Simulator(net, dt=dt, seed=0, progress=False)
    start = time.perf_counter()
    res = sim.run(t_stop)
    return time.perf_counter() - start, res.spikes["G"]


def best(fn, repeat):
    runs = [fn() for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1]


def brian2_izhikevich(currents, dt, t_stop=1.0):
    """(seconds, spike counts per neuron) of the same equations in Brian2."""
    import brian2 as b2
    b2.prefs.codegen.target = "cython"
    b2.start_scope()
    b2.defaultclock.dt = dt * b2.second
    eqs = """dv/dt = (0.04*v*v + 5*v + 140 - u + I)/ms : 1
             du/dt = a*(b*v - u)/ms : 1
             I : 1"""
    group = b2.NeuronGroup(currents.size, eqs, threshold="v >= 30",
                           reset="v = c; u += d", method="rk4",
                           namespace={"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0})
    group.v = -65.0
    group.u = 0.2 * -65.0
    group.I = currents
    monitor = b2.SpikeMonitor(group)
    b2.run(dt * b2.second)  # compiles
    start = time.perf_counter()
    b2.run(t_stop * b2.second)
    seconds = time.perf_counter() - start
    counts = np.bincount(np.asarray(monitor.i), minlength=currents.size)
    return seconds, counts - np.bincount(np.asarray(monitor.i)[
        np.asarray(monitor.t) <= dt], minlength=currents.size)


def brian2_presets(dt=1e-5, t_stop=1.0):
    """Per Izhikevich preset, one neuron at its Fig. 2 step current in Brian2 (rk4,
    threshold and reset at step ends) and in neurosim (rk4, spikes placed within
    the step): (preset, Brian2 count, neurosim count, max |time difference| ms)."""
    import brian2 as b2
    from neurosim.neurons.izhikevich import PRESETS, STEP_CURRENTS
    names = sorted(PRESETS)
    b2.prefs.codegen.target = "cython"
    b2.start_scope()
    b2.defaultclock.dt = dt * b2.second
    eqs = """dv/dt = (0.04*v*v + 5*v + 140 - u + I)/ms : 1
             du/dt = a*(b*v - u)/ms : 1
             I : 1 (constant)
             a : 1 (constant)
             b : 1 (constant)
             c : 1 (constant)
             d : 1 (constant)"""
    group = b2.NeuronGroup(len(names), eqs, threshold="v >= 30", reset="v = c; u += d",
                           method="rk4")
    for key in "abcd":
        setattr(group, key, [PRESETS[n][key] for n in names])
    group.I = [STEP_CURRENTS[n] for n in names]
    group.v = -65.0
    group.u = [PRESETS[n]["b"] * -65.0 for n in names]
    monitor = b2.SpikeMonitor(group)
    b2.run(t_stop * b2.second)
    theirs = monitor.spike_trains()
    rows = []
    for k, name in enumerate(names):
        ours = ns.simulate(ns.Izhikevich(**PRESETS[name]), STEP_CURRENTS[name], t_stop,
                           dt=dt, record=()).spike_times[0]
        other = np.asarray(theirs[k] / b2.second)
        diff = (np.max(np.abs(ours - other)) * 1e3 if ours.size == other.size
                else np.nan)
        rows.append((name, other.size, ours.size, diff))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-brian2", action="store_true")
    opts = parser.parse_args(argv)
    n = opts.neurons
    print(f"{n} neurons per group, 1 s; best of {opts.repeat}")
    print(f"{'model':>12} {'built-in s':>10} {'equations s':>11} {'ratio':>6} "
          f"{'spikes':>8}  agreement")
    exact, rk4 = iaf_pairs()
    cases = (("Izhikevich", izhikevich_pair, np.linspace(0.0, 20.0, n), 1e-4),
             ("AdEx", adex_pair, np.linspace(0.0, 800.0, n), 1e-5),
             ("IAF exact", lambda: exact, np.linspace(0.0, 40.0, n), 1e-4),
             ("IAF rk4", lambda: rk4, np.linspace(0.0, 40.0, n), 1e-4))
    for name, pair, currents, dt in cases:
        builtin, twin = pair()
        t_b, s_b = best(lambda: run_group(builtin, currents, dt), opts.repeat)
        t_e, s_e = best(lambda: run_group(twin, currents, dt), opts.repeat)
        c_b = np.bincount(s_b.ids, minlength=n)
        c_e = np.bincount(s_e.ids, minlength=n)
        if s_b.times.size == s_e.times.size and np.array_equal(s_b.ids, s_e.ids):
            diff = np.max(np.abs(s_b.times - s_e.times), initial=0.0) * 1e3
            agree = f"same spikes, times within {diff:.3g} ms"
        else:
            agree = (f"counts equal for {np.mean(c_b == c_e):.1%} of neurons, "
                     f"max count difference {np.max(np.abs(c_b - c_e))}")
        print(f"{name:>12} {t_b:10.3f} {t_e:11.3f} {t_e / t_b:6.2f} "
              f"{s_b.times.size:8d}  {agree}")
        if name.startswith("IAF"):
            errors = lif_error(s_b, currents), lif_error(s_e, currents)
            print(f"{'':>12} from the closed form: built-in {errors[0]:.2g} ms, "
                  f"equations {errors[1]:.2g} ms")
        if name == "Izhikevich" and not opts.no_brian2:
            try:
                t_2, c_2 = brian2_izhikevich(currents, dt)
            except ImportError as exc:
                print(f"{'Brian2':>12}: not importable ({exc}); skipped")
                continue
            print(f"{'Brian2 rk4':>12} {t_2:10.3f} {'':>11} {t_2 / t_e:6.2f} "
                  f"{int(c_2.sum()):8d}  counts equal to neurosim's for "
                  f"{np.mean(c_2 == c_e):.1%} of neurons, max difference "
                  f"{np.max(np.abs(c_2 - c_e))} (ratio: Brian2 / equations)")
            print("Izhikevich presets, 1 s at their step current, dt = 0.01 ms: "
                  "Brian2 rk4 against neurosim rk4")
            for preset, theirs, ours, diff in brian2_presets():
                print(f"  {preset:>4}: spikes {theirs} / {ours}, largest time "
                      f"difference {diff:.3g} ms")


if __name__ == "__main__":
    main()
