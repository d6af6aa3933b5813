"""Recurrent integrator: a population holds the integral of a pulse; drift against N.

Course §29: a population connected to itself through a PSC of time constant τ with
its identity decoders (feedback 1) and fed its input through the same PSC with
transform τ obeys τ dx/dt = −x + (x + τ u), i.e. dx/dt = u: it integrates u and,
once u is 0, holds the value. Imperfect decoding makes the held value drift toward
the nearest stable point of the decoded feedback — the fewer the neurons, the more.

Here u = ``pulse`` for 0 <= t < ``pulse_duration`` (s), 0 after, so the ideal state
is ``pulse`` · min(t, ``pulse_duration``); read through the probe's PSC
(``probe_synapse``, s) it is, in closed form (v = pulse, T = pulse_duration,
τp = probe_synapse),

    y(t) = v (t − τp (1 − e^(−t/τp)))                for t <= T,
    y(t) = v T + (y(T) − v T) e^(−(t − T)/τp)       for t > T.

For every N in ``n_neurons`` and each of ``n_seeds`` network seeds (``seed``,
``seed`` + 1, ...) the network runs for ``t_stop`` s, spiking and in rate mode.
Measured: the value x(``t_hold``) and the mean drift, the mean of |x(t) −
x(``t_hold``)| over ``t_hold`` <= t <= ``t_stop``.

Each network runs in pieces of ``PIECE`` s (``Simulator.run_pieces``): the value
and the drift are taken as the run goes, the traces are kept within
``trace_window`` (s) and the spikes within ``raster_window`` (a windowed spike
probe), so memory does not grow with ``t_stop``.

Writes ``/analysis/integrator/{t, ideal, n_neurons, seeds}`` (t: the sample times
within ``trace_window``), ``/analysis/integrator/<mode>/{x (N, seeds, T), value
(N, seeds), drift (N, seeds)}``, and, for N = ``example_n_neurons`` at seed ``seed``, the spiking run's
spikes under ``/spikes/integrator`` (times in ``raster_window``) with
``/analysis/populations/integrator/{encoders, intercepts}``. Metrics per mode and N:
``value_<mode>_N<n>`` and ``drift_<mode>_N<n>`` (means over the seeds),
``max_value_error_<mode>_N<n>`` (largest |x(t_hold) − ideal| over the seeds).
Figures ``integrator.png`` (traces, drift and value error against N) and
``integrator_spikes.png``.
"""

from __future__ import annotations

import logging
import math

import numpy as np

import neurosim as ns
from neurosim.plots import figure, plot_loglog, plot_raster, save_figure
from neurosim.progress import progress
from neurosim.validation import as_float, as_int, as_steps, as_window

CONFIG = {
    "n_neurons": [100, 300, 1000, 3000],
    "n_seeds": 5,
    "tau": 0.1,
    "pulse": 1.0,
    "pulse_duration": 0.1,
    "t_stop": 2.0,
    "dt": 1e-3,
    "probe_synapse": 0.01,
    "t_hold": 0.2,
    "example_n_neurons": 1000,
    "trace_window": [0.0, 2.0],
    "raster_window": [0.0, 1.0],
    "raster_neurons": 40,
}

#: Seconds simulated at a time: what a run holds in memory.
PIECE = 10.0

MODES = ("spiking", "rate")
log = logging.getLogger("neurosim.experiments.integrator")


def ideal(t, pulse: float, duration: float, tau_probe: float) -> np.ndarray:
    """The perfect integral of the pulse read through the probe's low-pass (see the
    module docstring).

    Parameters
    ----------
    t : array (T,), s
    pulse : float
        Input value during the pulse.
    duration : float, s
    tau_probe : float, s

    Returns
    -------
    array (T,)
    """
    t = np.asarray(t, dtype=np.float64)
    during = pulse * (t - tau_probe * -np.expm1(-t / tau_probe))
    at_end = pulse * (duration - tau_probe * -np.expm1(-duration / tau_probe))
    held = pulse * duration
    after = held + (at_end - held) * np.exp(-(np.maximum(t, duration) - duration)
                                           / tau_probe)
    return np.where(t <= duration, during, after)


def build(n_neurons: int, seed: int, config, spikes: bool = False):
    """The integrator network and the probe of its decoded value; with ``spikes``,
    a spike probe within ``raster_window`` too."""
    tau = as_float("tau (s)", config["tau"], positive=True)
    pulse = as_float("pulse", config["pulse"])
    duration = as_float("pulse_duration (s)", config["pulse_duration"], positive=True)
    net = ns.Network(seed=seed, label="integrator")
    u = net.input(lambda t: np.where(t < duration, pulse, 0.0), 1, "pulse")
    a = net.population(n_neurons, 1, label="integrator")
    net.connect(u, a, synapse=ns.PSC(tau), transform=tau)
    net.connect(a, a, synapse=ns.PSC(tau))
    probe = net.probe(a, synapse=ns.PSC(as_float("probe_synapse (s)",
                                                 config["probe_synapse"],
                                                 positive=True)))
    if spikes:
        net.probe(a, "spikes", window=as_window("raster_window",
                                                config["raster_window"]))
    return net, probe


def settings(config):
    """(neuron counts, seeds, dt, t_stop, t_hold, trace window, raster window),
    checked."""
    counts = config["n_neurons"]
    if not isinstance(counts, list) or not counts:
        raise ValueError(f"n_neurons must be a non-empty list, got {counts!r}")
    counts = [as_int("n_neurons entry", n, minimum=1) for n in counts]
    example = as_int("example_n_neurons", config["example_n_neurons"], minimum=1)
    if example not in counts:
        raise ValueError(f"example_n_neurons must be one of n_neurons {counts}, got "
                         f"{example}")
    n_seeds = as_int("n_seeds", config["n_seeds"], minimum=1)
    seeds = [config["seed"] + k for k in range(n_seeds)]
    dt = as_float("dt (s)", config["dt"], positive=True)
    t_stop = as_float("t_stop (s)", config["t_stop"], positive=True)
    t_hold = as_float("t_hold (s)", config["t_hold"], positive=True)
    if not as_float("pulse_duration (s)", config["pulse_duration"]) < t_hold < t_stop:
        raise ValueError(f"t_hold must lie between pulse_duration and t_stop, got "
                         f"{t_hold}")
    as_steps("t_stop", t_stop, dt, minimum=1)
    trace = as_window("trace_window", config["trace_window"])
    window = as_window("raster_window", config["raster_window"])
    as_int("raster_neurons", config["raster_neurons"], minimum=1)
    return counts, seeds, dt, t_stop, t_hold, trace, window


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    counts, seeds, *_ = settings(config)
    build(counts[0], seeds[0], config)


def hold_step(t_hold: float, dt: float, n_steps: int) -> int:
    """The step (1 .. ``n_steps``) whose end k dt lies nearest ``t_hold`` (s), the
    earlier on a tie."""
    candidates = [k for k in (math.floor(t_hold / dt), math.floor(t_hold / dt) + 1)
                  if 1 <= k <= n_steps]
    return min(candidates, key=lambda k: abs(k * dt - t_hold))


def run_one(config, n: int, seed: int, mode: str, spikes: bool, dt: float,
            t_stop: float, hold: int, window):
    """One network, piece by piece: (x(t_hold), mean |x(t) − x(t_hold)| from t_hold
    on, (t, x) within ``window``, the population, its (times, ids) or None)."""
    net, probe = build(n, seed, config, spikes=spikes)
    lo, hi = window[0] - 1e-9 * dt, window[1] + 1e-9 * dt
    value, total, count, done = None, 0.0, 0, 0
    kept, fired = [], []
    for res in ns.Simulator(net, dt=dt, mode=mode, progress=False).run_pieces(
            t_stop, PIECE):
        t, x = res.times(probe), res[probe][:, 0]
        if value is None and done < hold <= done + t.size:
            value = x[hold - done - 1]     # samples every step: sample i at step i + 1
        if value is not None:
            after = x[max(0, hold - done - 1):]
            total += float(np.sum(np.abs(after - value)))
            count += after.size
        done += t.size
        inside = (t >= lo) & (t <= hi)
        kept.append((t[inside], x[inside]))
        if spikes and net.populations[0].label in res.spikes:
            fired.append(res.spikes(net.populations[0]))
    return (value, total / count, joined(kept, (float, float)), net.populations[0],
            joined(fired, (float, int)) if spikes else None)


def joined(pieces, dtypes) -> tuple:
    """Tuples of arrays, one tuple per piece, joined array by array (empty arrays of
    ``dtypes`` without pieces)."""
    return tuple(np.concatenate([piece[i] for piece in pieces]) if pieces
                 else np.zeros(0, dtype) for i, dtype in enumerate(dtypes))


def run(config, out):
    counts, seeds, dt, t_stop, t_hold, trace_window, (lo, hi) = settings(config)
    hold = hold_step(t_hold, dt, round(t_stop / dt))
    results = ns.Results()
    t = None
    for mode in MODES:
        traces, values, drifts = [], [], []
        jobs = [(n, seed) for n in counts for seed in seeds]
        for n, seed in progress(jobs, desc=f"integrators ({mode})"):
            example = mode == "spiking" and n == config["example_n_neurons"] \
                and seed == config["seed"]
            value, drift, (t, x), pop, spikes = run_one(
                config, n, seed, mode, example, dt, t_stop, hold, trace_window)
            traces.append(x)
            values.append(value)
            drifts.append(drift)
            if example:
                results.add_spikes(pop.label, *spikes, n_neurons=n)
                results.add(f"populations/{pop.label}/encoders", pop.encoders[:, 0],
                            units="1")
                results.add(f"populations/{pop.label}/intercepts", pop.intercepts,
                            units="1")
        x = np.array(traces).reshape(len(counts), len(seeds), -1)
        value = np.array(values).reshape(len(counts), len(seeds))
        drift = np.array(drifts).reshape(len(counts), len(seeds))
        base = f"integrator/{mode}"
        results.add(f"{base}/x", x, units="1",
                    description="decoded value, (n_neurons, seeds, time)")
        results.add(f"{base}/value", value, units="1", description="x(t_hold)")
        results.add(f"{base}/drift", drift, units="1",
                    description="mean |x(t) - x(t_hold)| for t_hold <= t <= t_stop")
        target = ideal(hold * dt, config["pulse"], config["pulse_duration"],
                       config["probe_synapse"])
        for i, n in enumerate(counts):
            m = results.metrics
            m[f"value_{mode}_N{n}"] = float(np.mean(value[i]))
            m[f"max_value_error_{mode}_N{n}"] = float(np.max(np.abs(value[i] - target)))
            m[f"drift_{mode}_N{n}"] = float(np.mean(drift[i]))
            log.info("%s, N = %d: x(%g s) = %.4f (worst error %.4f), mean |drift| %.4f "
                     "(over %d seeds)", mode, n, t_hold, m[f"value_{mode}_N{n}"],
                     m[f"max_value_error_{mode}_N{n}"], m[f"drift_{mode}_N{n}"],
                     len(seeds))
    results.add("integrator/t", t, units="s")
    results.add("integrator/ideal", ideal(t, config["pulse"], config["pulse_duration"],
                                          config["probe_synapse"]), units="1",
                description="pulse * min(t, pulse_duration) through the probe PSC")
    results.add("integrator/n_neurons", np.array(counts), units="1")
    results.add("integrator/seeds", np.array(seeds), units="1")
    results.set_attrs("integrator", tau=config["tau"], pulse=config["pulse"],
                      pulse_duration=config["pulse_duration"], dt=dt, t_stop=t_stop,
                      t_hold=t_hold, probe_synapse=config["probe_synapse"],
                      example_n_neurons=config["example_n_neurons"],
                      example_seed=config["seed"], trace_window=list(trace_window),
                      raster_window=[lo, hi],
                      raster_neurons=config["raster_neurons"])
    return results


def plot(results, outdir):
    info = results.attrs["integrator"]
    t = results["integrator/t"]
    ideal_trace = results["integrator/ideal"]
    counts = results["integrator/n_neurons"]
    seeds = results["integrator/seeds"]
    example = int(np.flatnonzero(counts == info["example_n_neurons"])[0])
    held = info["pulse"] * info["pulse_duration"]
    fig, axes = figure(2, 2, width=6.4, height=4.0)
    x_max = max(np.max(np.abs(results[f"integrator/{mode}/x"][example]))
                for mode in MODES)
    for col, mode in enumerate(MODES):
        ax = axes[0, col]
        x = results[f"integrator/{mode}/x"][example]
        for k, seed in enumerate(seeds):
            ax.plot(t, x[k], lw=0.8, label=f"seed {seed}")
        ax.plot(t, ideal_trace, "k--", lw=1.2, label="ideal integral")
        ax.axvspan(0.0, info["pulse_duration"], color="C2", alpha=0.15,
                   label=f"pulse u = {info['pulse']:g}")
        ax.axvline(info["t_hold"], color="grey", ls=":", lw=1,
                   label=f"t_hold = {info['t_hold']:g} s")
        ax.set_ylim(-0.1 * x_max, 1.35 * max(x_max, held))
        ax.set_xlabel("time (s)")
        ax.set_ylabel("decoded value")
        drift = results.metrics[f"drift_{mode}_N{counts[example]}"]
        ax.set_title(f"{mode}: N = {counts[example]}, τ = {info['tau'] * 1e3:g} ms; "
                     f"mean |drift| {drift:.4f}", fontsize="medium")
        ax.legend(fontsize="x-small", ncol=3, loc="upper right")
        ax.grid(True, alpha=0.3)
    for ax, key, ylabel, title in (
            (axes[1, 0], "drift", f"mean |x(t) − x({info['t_hold']:g} s)|",
             f"drift over {info['t_hold']:g}–{info['t_stop']:g} s against N"),
            (axes[1, 1], "value", f"|x({info['t_hold']:g} s) − {held:g}|",
             f"error of the held value at t = {info['t_hold']:g} s against N")):
        curves, slopes = {}, {}
        for col, mode in enumerate(MODES):
            data = results[f"integrator/{mode}/{key}"]
            if key == "value":
                data = np.abs(data - held)
            data = np.maximum(data, 1e-6)
            mean = np.mean(data, axis=1)
            curves[f"{mode}, mean of {seeds.size} seeds"] = (counts, mean)
            slopes[f"{mode}, mean of {seeds.size} seeds"] = float(
                np.polyfit(np.log(counts), np.log(mean), 1)[0])
            for k in range(seeds.size):
                ax.plot(counts * (1.0 + 0.04 * (col - 0.5)), data[:, k], ".",
                        color=f"C{col}", alpha=0.5, ms=4)
        plot_loglog(curves, ax=ax, xlabel="neurons N", ylabel=ylabel, title=title,
                    slopes=slopes)
        ax.title.set_fontsize("medium")
    fig.suptitle(f"Integrator: pulse {info['pulse']:g} for "
                 f"{info['pulse_duration'] * 1e3:g} ms through transform τ, feedback 1 "
                 f"through PSC τ = {info['tau'] * 1e3:g} ms; dots: single seeds "
                 f"(values below 1e-6 drawn at 1e-6)")
    paths = [save_figure(fig, outdir / "integrator.png")]

    fig, (ax_x, ax_r) = figure(2, 1, width=9.0, height=3.2)
    lo, hi = info["raster_window"]
    within = (t >= lo) & (t <= hi)
    x = results["integrator/spiking/x"][example, 0]
    ax_x.plot(t[within], x[within], color="C0", lw=1, label="decoded (spiking)")
    ax_x.plot(t[within], ideal_trace[within], "k--", lw=1, label="ideal")
    ax_x.set_xlim(lo, hi)
    ax_x.set_xlabel("time (s)")
    ax_x.set_ylabel("decoded value")
    ax_x.legend(fontsize="small", loc="lower right")
    ax_x.grid(True, alpha=0.3)
    ax_x.set_title(f"N = {counts[example]}, seed {info['example_seed']}: the held "
                   "value and the spikes that hold it", fontsize="medium")
    encoders = results["populations/integrator/encoders"]
    intercepts = results["populations/integrator/intercepts"]
    order = np.lexsort((intercepts, encoders))
    picked = order[np.unique(np.linspace(0, order.size - 1, min(
        info["raster_neurons"], order.size)).round().astype(int))]
    rank = np.full(order.size, -1)
    rank[picked] = np.arange(picked.size)
    times, ids = results.spikes("integrator")
    shown = rank[ids] >= 0
    plot_raster(times[shown], rank[ids[shown]], ax=ax_r, n_neurons=picked.size,
                t_range=(lo, hi), title=f"{picked.size} of {order.size} neurons, "
                                        "sorted by encoder (−1 below, +1 above), then "
                                        "intercept")
    ax_r.title.set_fontsize("medium")
    paths.append(save_figure(fig, outdir / "integrator_spikes.png"))
    return paths
