"""STDP, Song, Miller & Abbott (2000): one IAF neuron, 1000 Poisson inputs, bimodal weights.

``n_inputs`` Poisson sources at ``rate`` Hz drive one integrate-and-fire neuron
(τ_m = 10 ms, E_L = −74, V_th = −54, V_reset = −60 mV, no refractory period, v(0)
= −60 mV; Brian2's STDP example) through exponential currents (τ = 5 ms) whose
weights start uniform in [0, ``w_max``] (nA at R = 1 MΩ: Brian2's g_max = 0.01
times 60 mV) and learn by additive STDP (``neurosim.learning``: ``tau_plus``,
``tau_minus`` in s, ``A_plus``, ``A_minus`` in nA; by default A+ = 0.01 w_max and
A− = 1.05 A+). Depression slightly outweighs potentiation, so the inputs compete:
most weights are pushed to 0, a minority (the inputs that happen to lead output
spikes) to w_max, and the output rate falls from its start and settles.

The run (``t_stop`` s at step ``dt``, the network drawn from ``seed``) streams the
output spikes (SONATA ``/spikes/cell``) and a snapshot of every weight each
``snapshot`` s (``/analysis/traces/input_synapses/weights``, time × synapses, and
``weights_t``); it writes the drawn weights (``/analysis/stdp/initial_weights``),
the final ones (``/analysis/synapses/input_synapses/{weights, pre, post}``) and the
output rate in bins of ``rate_bin`` s (``/analysis/stdp/output_rate`` and ``_t``,
bin centres). Metrics: ``near_zero`` and ``near_max`` (fractions of the final
weights within 10 % of w_max of 0 and of w_max), ``mean_weight`` (nA) and
``mean_weight_fraction`` (of w_max), ``rate_first`` and ``rate_last`` (output rate,
Hz, over the first and last ``rate_window`` s), ``n_output_spikes``,
``n_snapshots``, ``build_seconds``, ``run_seconds``. Figure ``stdp.png``: the
weight histogram over time (heat map), the output rate, the final weights.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

import neurosim as ns
from neurosim.group_runs import Output
from neurosim.plots import figure, save_figure
from neurosim.validation import as_float, as_int, as_steps

CONFIG = {
    "n_inputs": 1000,
    "rate": 15.0,
    "t_stop": 50.0,
    "dt": 1e-4,
    "w_max": 0.6,
    "A_plus": 0.006,
    "A_minus": 0.0063,
    "tau_plus": 0.02,
    "tau_minus": 0.02,
    "snapshot": 5.0,
    "rate_bin": 1.0,
    "rate_window": 5.0,
    "hist_bins": 20,
}

#: the neuron of Brian2's example (mV, ms)
CELL = {"V_rest": -74.0, "V_th": -54.0, "V_reset": -60.0, "tau_m": 10.0,
        "tau_ref": 0.0}
TAU_SYN = 5e-3  # s
LABEL = "input_synapses"
NEAR = 0.1  # "near a bound": within this fraction of w_max

log = logging.getLogger("neurosim.experiments.stdp")


def rule(config) -> ns.STDP:
    """The additive STDP rule of ``config`` (checked by ``ns.STDP``)."""
    return ns.STDP(A_plus=config["A_plus"], A_minus=config["A_minus"],
                   w_max=config["w_max"], tau_plus=config["tau_plus"],
                   tau_minus=config["tau_minus"], rule="additive")


def check(config):
    """Refuse a configuration this experiment cannot run (ValueError naming the key)."""
    as_int("n_inputs", config["n_inputs"], minimum=1)
    as_float("rate (Hz)", config["rate"], nonnegative=True)
    dt = as_float("dt (s)", config["dt"], positive=True)
    as_steps("t_stop", config["t_stop"], dt, minimum=1)
    t_stop = float(config["t_stop"])
    for key in ("snapshot", "rate_bin"):
        as_steps(key, config[key], dt, minimum=1)
        as_steps(f"t_stop / {key}: t_stop", t_stop, float(config[key]), minimum=1)
    window = as_float("rate_window (s)", config["rate_window"], positive=True)
    if window > t_stop / 2:
        raise ValueError(f"rate_window must be at most t_stop / 2 = {t_stop / 2} s "
                         f"(first and last windows apart), got {window} s")
    as_steps("rate_window", window, float(config["rate_bin"]), minimum=1)
    as_int("hist_bins", config["hist_bins"], minimum=2)
    rule(config)


def build(config):
    """(network, input synapses, weight probe) of the module docstring; the
    network's draws (weights) from ``config["seed"]``."""
    w_max = float(config["w_max"])
    net = ns.Network(seed=config["seed"])
    inputs = net.poisson_group(config["n_inputs"], config["rate"], label="inputs")
    cell = net.group(1, ns.IAF(**CELL), label="cell",
                     channels={"ge": ns.PSC(TAU_SYN)}, initial={"v": -60.0})
    syn = net.synapses(inputs, cell, rule=ns.AllToAll(), weight=ns.Uniform(0, w_max),
                       learning_rule=rule(config), label=LABEL)
    net.probe(cell, "spikes")
    probe = net.probe(syn, "weights", sample_every=config["snapshot"],
                      label="weights")
    return net, syn, probe


def bound_fractions(weights, w_max: float) -> tuple[float, float]:
    """Fractions of ``weights`` within ``NEAR`` w_max of 0 and of w_max."""
    w = np.asarray(weights) / w_max
    return float(np.mean(w <= NEAR)), float(np.mean(w >= 1.0 - NEAR))


def binned_rate(spikes, t_stop: float, bin: float) -> tuple[np.ndarray, np.ndarray]:
    """(bin centres, rate in Hz) of one neuron's spike times over [0, t_stop]."""
    n = round(t_stop / bin)
    edges = np.linspace(0.0, n * bin, n + 1)
    counts = np.histogram(spikes, edges)[0]
    return 0.5 * (edges[:-1] + edges[1:]), counts / bin


def _output_spikes(sim, out) -> np.ndarray:
    if out.writer is None:
        return sim.results.spikes["cell"].times
    return out.writer.file["spikes/cell/timestamps"][()] * 1e-3


def run(config, out):
    t_stop, dt, w_max = float(config["t_stop"]), float(config["dt"]), config["w_max"]
    start = time.perf_counter()
    net, syn, probe = build(config)
    output = Output()
    sim = ns.Simulator(net, dt=dt, seed=config["seed"], progress=False,
                       stream=output.writer)
    if output.writer is None:  # called directly: the simulator's results it is
        output.results = sim.results
    initial = sim.weights(syn)
    built = time.perf_counter()
    sim.run_steps(round(t_stop / dt))
    run_seconds = time.perf_counter() - built
    final = sim.weights(syn)
    if output.writer is not None:  # streamed: the simulator writes these at close
        pre, post = sim.pairs(syn)
        output.add(f"synapses/{LABEL}/weights", final, units="nA")
        output.add(f"synapses/{LABEL}/pre", pre.astype(np.uint64), units="1")
        output.add(f"synapses/{LABEL}/post", post.astype(np.uint64), units="1")
    output.add("stdp/initial_weights", initial, units="nA",
               description="weights as drawn, before the run")
    spikes = _output_spikes(sim, output)
    t_rate, rate = binned_rate(spikes, t_stop, config["rate_bin"])
    output.add("stdp/output_rate_t", t_rate, units="s", description="bin centres")
    output.add("stdp/output_rate", rate, units="Hz",
               description="output spikes per bin / bin")
    output.set_attrs("stdp", w_max=w_max, near=NEAR, rate_bin=config["rate_bin"],
                     rate_window=config["rate_window"],
                     hist_bins=config["hist_bins"], n_inputs=config["n_inputs"],
                     input_rate=config["rate"], A_plus=config["A_plus"],
                     A_minus=config["A_minus"], tau_plus=config["tau_plus"],
                     tau_minus=config["tau_minus"])
    near0, near_max = bound_fractions(final, w_max)
    window = config["rate_window"]
    n_snapshots = (output.writer.file[f"analysis/traces/{LABEL}/weights"].shape[0]
                   if output.writer is not None else sim.results[probe].shape[0])
    metrics = {
        "near_zero": near0, "near_max": near_max,
        "mean_weight": float(final.mean()),
        "mean_weight_fraction": float(final.mean() / w_max),
        "rate_first": float(np.sum(spikes < window) / window),
        "rate_last": float(np.sum(spikes >= t_stop - window) / window),
        "n_output_spikes": int(spikes.size), "n_snapshots": int(n_snapshots),
        "build_seconds": built - start, "run_seconds": run_seconds,
        "t_stop": t_stop, "dt": dt,
    }
    output.results.metrics.update(metrics)
    log.info("%d inputs at %g Hz, %g s in %.2f s: %.1f %% of weights near 0, "
             "%.1f %% near w_max, mean %.3f w_max; output %.2f Hz in the first %g s, "
             "%.2f Hz in the last", config["n_inputs"], config["rate"], t_stop,
             run_seconds, 100 * near0, 100 * near_max, metrics["mean_weight_fraction"],
             metrics["rate_first"], window, metrics["rate_last"])
    return output.results


def plot(results, outdir):
    info = results.attrs["stdp"]
    m = results.metrics
    w_max, bins = info["w_max"], int(info["hist_bins"])
    edges = np.linspace(0.0, 1.0, bins + 1)
    snaps = np.vstack([results["stdp/initial_weights"][None, :],
                       results[f"traces/{LABEL}/weights"]]) / w_max
    t_snap = np.concatenate([[0.0], results[f"traces/{LABEL}/weights_t"]])
    hist = np.array([np.histogram(s, edges)[0] / s.size for s in snaps])
    fig, axes = figure(1, 3, width=4.2, height=3.4)
    ax_h, ax_r, ax_w = axes
    # (a) the histogram at each snapshot, a column per snapshot time
    step = t_snap[1] - t_snap[0] if t_snap.size > 1 else 1.0
    t_edges = np.concatenate([t_snap - step / 2, [t_snap[-1] + step / 2]])
    mesh = ax_h.pcolormesh(t_edges, edges, 100 * hist.T, cmap="viridis",
                           shading="flat")
    fig.colorbar(mesh, ax=ax_h, label="% of synapses per bin")
    ax_h.set_xlabel("time (s)")
    ax_h.set_ylabel("w / w_max")
    ax_h.set_title(f"(a) weight histogram every {step:g} s")
    # (b) the output rate
    t_rate, rate = results["stdp/output_rate_t"], results["stdp/output_rate"]
    ax_r.step(t_rate, rate, where="mid", lw=1.2, label=f"{info['rate_bin']:g} s bins")
    window = info["rate_window"]
    ax_r.hlines([m["rate_first"], m["rate_last"]], [0.0, m["t_stop"] - window],
                [window, m["t_stop"]], colors="C3", lw=2,
                label=f"first / last {window:g} s: {m['rate_first']:.1f} / "
                      f"{m['rate_last']:.1f} Hz")
    ax_r.set_xlim(0.0, m["t_stop"])
    ax_r.set_ylim(bottom=0.0)
    ax_r.set_xlabel("time (s)")
    ax_r.set_ylabel("output rate (Hz)")
    ax_r.set_title("(b) output rate")
    ax_r.legend(fontsize="small", loc="upper right")
    ax_r.grid(True, alpha=0.3)
    # (c) the final distribution against the drawn one
    final = results[f"synapses/{LABEL}/weights"] / w_max
    ax_w.hist(snaps[0], edges, color="grey", alpha=0.5, label="drawn (t = 0)")
    ax_w.hist(final, edges, color="C0", alpha=0.8,
              label=f"t = {m['t_stop']:g} s")
    ax_w.set_xlabel("w / w_max")
    ax_w.set_ylabel("synapses")
    ax_w.set_title(f"(c) final weights: {100 * m['near_zero']:.1f} % within 10 %\n"
                   f"of 0, {100 * m['near_max']:.1f} % within 10 % of w_max",
                   fontsize="medium")
    ax_w.legend(fontsize="small", loc="upper center")
    fig.suptitle(f"Additive STDP (Song, Miller & Abbott 2000): {info['n_inputs']} "
                 f"Poisson inputs at {info['input_rate']:g} Hz onto one IAF neuron, "
                 f"{m['t_stop']:g} s at dt = {m['dt'] * 1e3:g} ms")
    return [save_figure(fig, Path(outdir) / "stdp.png")]
